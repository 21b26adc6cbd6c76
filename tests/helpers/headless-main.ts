// A headless dashboard in a process of its own (no web pages), for tests that kill the server
// with SIGKILL and start it again on the same DATA_DIR. Settings come from the environment like
// `npm start`; it prints "READY <url>" once it serves, and its log on stdout.
import { startServer } from '../../server/index';
import { keepServingOnFaults } from '../../server/process-faults';

const server = await startServer({ withNext: false, log: (line) => console.log(`[server] ${line}`) });
keepServingOnFaults();
console.log(`READY ${server.url}`);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
