// The result rows of the comparison over every run: those of runs made by the current revision
// of their job (a run from before a change to what the job computes, such as the CVAE's
// selection rule, would otherwise sit in the same cell as its replacement).
import { inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { runs } from '../../db/schema';
import { listResults } from '../../db/queries/results';
import { JOB_REVISIONS } from '../../lib/contracts/run-config';

export function currentResults(db: Db) {
  const rows = listResults(db);
  const ids = [...new Set(rows.map((r) => r.runId))];
  const current = new Set(
    ids.length === 0
      ? []
      : db
          .select({ id: runs.id, model: runs.model, config: runs.config })
          .from(runs)
          .where(inArray(runs.id, ids))
          .all()
          .filter((r) => (r.config.revision ?? 1) === JOB_REVISIONS[r.model])
          .map((r) => r.id),
  );
  return rows.filter((r) => current.has(r.runId));
}
