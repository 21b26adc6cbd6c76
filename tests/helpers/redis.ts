// A real redis-server for team-mode tests (shared with the team bench).
export { startRedis, redisServerPath, freePort, type TestRedis } from '../../server/loadtest/redis-process';
