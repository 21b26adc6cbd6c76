// Process-level handlers for the serving process: an exception or rejection nobody caught is
// logged with a clear prefix and the dashboard keeps serving everyone else. Installed only once
// the server listens, so a failure during start-up still stops the process with its message.

const describe = (err: unknown) => (err instanceof Error ? err.stack ?? err.message : String(err));

export function keepServingOnFaults(log: (line: string) => void = (line) => console.error(line)): void {
  process.on('unhandledRejection', (reason) => log(`[fault] unhandled promise rejection (still serving): ${describe(reason)}`));
  process.on('uncaughtException', (err, origin) => log(`[fault] uncaught exception in ${origin} (still serving): ${describe(err)}`));
}
