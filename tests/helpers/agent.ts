// A worker agent process as a user starts one (shared with the team bench).
export { startAgent, type TestAgent } from '../../server/loadtest/agent-process';
