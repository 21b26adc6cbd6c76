// The dashboard without its web pages (tRPC, socket.io, the scheduler), as a process of its own:
// what the load test measures (its memory apart from the load generator's) and what the DATA_DIR
// lock test starts twice. Configured by the environment like `npm start`; logs go to stderr and,
// once it listens, one JSON line `{"url":…,"pid":…}` to stdout. Stops on SIGTERM or SIGINT.
import { startServer } from './index';
import { keepServingOnFaults } from './process-faults';

async function main() {
  const server = await startServer({ withNext: false, log: (line) => console.error(`[server] ${line}`) });
  keepServingOnFaults();
  console.log(JSON.stringify({ url: server.url, pid: process.pid }));
  const shutdown = () => server.close().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(`[server] failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
