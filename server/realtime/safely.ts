// Wraps a socket.io event handler so that an exception in it (thrown or rejected) is logged and
// the sender answered, instead of escaping into socket.io's packet loop and the process.

/** `fallback` is what the ack (the last argument, when it is a function) receives on failure;
 * omit it for events that expect no answer. socket.io ignores a second call of one ack. */
export function safely<A extends unknown[]>(
  log: (line: string) => void,
  event: string,
  handler: (...args: A) => unknown,
  fallback?: unknown,
): (...args: A) => void {
  return (...args: A) => {
    const fail = (err: unknown) => {
      log(`[socket] ${event} handler failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      const ack = args.at(-1);
      if (fallback !== undefined && typeof ack === 'function') ack(fallback);
    };
    try {
      const result = handler(...args);
      if (result instanceof Promise) result.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}

/** The same for a socket.io middleware (a handshake or per-message check): an exception refuses
 * that one connection or message with a short reason instead of escaping. */
export function safelyNext<T>(log: (line: string) => void, what: string, middleware: (arg: T, next: (err?: Error) => void) => void): (arg: T, next: (err?: Error) => void) => void {
  return (arg, next) => {
    try {
      middleware(arg, next);
    } catch (err) {
      log(`[socket] ${what} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      next(new Error(`${what} failed on the server; try again`));
    }
  };
}
