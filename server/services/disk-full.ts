// A full disk while the server stores what a run sends (an image file, a metric batch in SQLite):
// recognised here so the run fails with a reason a person can act on, and the server goes on.

export class DiskFullError extends Error {}

/** The error as a DiskFullError ("disk full: …") when it is ENOSPC or SQLite's SQLITE_FULL; otherwise itself. */
export function asDiskFull(err: unknown, what: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'ENOSPC' && code !== 'SQLITE_FULL') return err;
  return new DiskFullError(`disk full: ${what} could not be stored (${err instanceof Error ? err.message : code}); free space under DATA_DIR and launch the run again`);
}
