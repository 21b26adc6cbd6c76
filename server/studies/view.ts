// A study as the pages show it: each step's state (following its run), the counts, the status,
// and the comparison table with the mix-ratio sweep, from the results of its classifier runs.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { studies, studyNodes } from '../../db/schema';
import { getRun } from '../../db/queries/runs';
import { personNames } from '../../db/queries/people';
import { listResultsOfRuns } from '../../db/queries/results';
import { stepSpecSchema, type NodeState, type StudyNodeView, type StudyView } from '../../lib/contracts/study';
import type { TableCell } from '../../lib/stats/table';
import { resultsTable } from '../results/table';
import { SWEEP_RATIOS } from './templates';

export function studyView(db: Db, studyId: string, withTable = true): StudyView | null {
  const study = db.select().from(studies).where(eq(studies.id, studyId)).get();
  if (!study) return null;
  const nodes = db.select().from(studyNodes).where(eq(studyNodes.studyId, studyId)).orderBy(studyNodes.id).all();
  const runRows = new Map(nodes.filter((n) => n.runId).map((n) => [n.runId!, getRun(db, n.runId!)!]));
  const views: StudyNodeView[] = nodes.map((n) => {
    const spec = stepSpecSchema.parse(n.spec);
    const run = n.runId ? runRows.get(n.runId) : undefined;
    return {
      key: n.key,
      state: n.state === 'launched' ? (run?.status ?? 'failed') : n.state,
      runId: n.runId,
      dependsOn: n.dependsOn,
      kind: spec.kind,
      model: spec.kind === 'synth' ? 'synth' : spec.launch.model,
      column: spec.kind === 'synth' ? 'dataset' : spec.column,
      seed: spec.kind === 'synth' ? spec.seed : (spec.launch.seed ?? 0),
      reused: n.reused,
      attempts: n.attempts,
      reason: n.state === 'blocked' ? n.blockedBy : (run?.error ?? null),
      progress: run?.progress ?? 0,
    };
  });
  const counts = { waiting: 0, blocked: 0, queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 } as Record<NodeState, number>;
  for (const v of views) counts[v.state]++;
  const classifierRuns = views.filter((v) => (v.model === 'cnn' || v.model === 'cvae') && v.runId).map((v) => v.runId!);
  const table = withTable ? resultsTable(db, listResultsOfRuns(db, classifierRuns)) : [];
  const done = counts.waiting + counts.queued + counts.running === 0;
  const status = study.cancelled && !done ? 'cancelled' : !done ? 'running' : counts.failed + counts.blocked + counts.cancelled > 0 ? (study.cancelled ? 'cancelled' : 'failed') : 'succeeded';
  const finished = done ? Math.max(...[...runRows.values()].map((r) => r.finishedAt ?? 0)) : 0;
  const sweepColumns: [number, string][] = [[0, 'real'], ...SWEEP_RATIOS.map((r): [number, string] => [r, `mixed-vae×${r}`]), [1, 'mixed-vae']];
  const sweep = sweepColumns.flatMap(([ratio, column]) =>
    ['accuracy', 'f1'].map((metric) => table.find((c) => c.model === 'cnn' && c.technique === '' && c.trainData === column && c.metric === metric)).filter((c): c is TableCell => Boolean(c)).map((c) => ({ ratio, column, metric: c.metric, mean: c.mean, ciLow: c.ciLow, ciHigh: c.ciHigh, n: c.n })),
  );
  return {
    id: study.id, name: study.name, template: study.template, preset: study.preset, seeds: study.seeds, datasetId: study.datasetId, createdAt: study.createdAt,
    cancelled: study.cancelled, status, counts, nodes: views, table, sweep, seconds: done && finished ? (finished - study.createdAt) / 1000 : null,
    launchedBy: (study.launchedBy && personNames(db, [study.launchedBy]).get(study.launchedBy)) ?? null,
    launchedById: study.launchedBy,
  };
}
