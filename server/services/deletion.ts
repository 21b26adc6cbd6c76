// Deleting runs, studies and datasets with their files. First the plan: what depends on the
// target (a dataset's runs, studies and the synthetic datasets made from it; a generator run's
// syntheses and synthetic datasets, and the studies a run belongs to; a study's runs), what stops it (a queued or running
// run, the demo dataset) and what the asker may not delete (editors delete what they launched or
// imported, admins anything). Then the rows go in one transaction and the files after it.
import fs from 'node:fs';
import path from 'node:path';
import { and, asc, eq, inArray, isNotNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { datasets, metricPoints, results, runImages, runLogs, runs, studies, studyNodes } from '../../db/schema';
import { activity, comments } from '../../db/team-schema';
import { getDataset, type DatasetRow } from '../../db/queries/datasets';
import { getRun } from '../../db/queries/runs';
import { countItems, dependOn, type DeletableKind, type DeletionItem, type DeletionPlan, type DeletionResult } from '../../lib/contracts/deletion';
import { roleAllows, type Actor } from '../../lib/contracts/team';
import { runSummary } from './activity-summary';
import type { ActivityLog } from './activity';
import { Refusal } from './refusal';
import { stagingDir } from '../datasets/synthesize';

export interface Deleted {
  runIds: string[];
  studyIds: string[];
  datasetIds: string[];
}

/** Tells browsers what went (lists drop it, its page says so). */
export type DeletedHook = (deleted: Deleted) => void;

type Ref = [DeletableKind, string];
const ACTIVE = new Set(['queued', 'running']);
/** Blockers named one by one before "and N more". */
const NAMED = 5;

export class DeletionService {
  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly activity: ActivityLog,
    private readonly deleted: DeletedHook,
  ) {}

  /** What deleting it would take and what stops it; nothing changes. NOT_FOUND for an unknown id. */
  plan(kind: DeletableKind, id: string, actor: Actor): DeletionPlan {
    const target = this.item(kind, id);
    if (!target) throw new Refusal(`No ${kind} with id ${id}.`, 'NOT_FOUND');
    if (kind === 'dataset' && getDataset(this.db, id)?.kind === 'demo') {
      const blockers = [`${target.label} is the built-in demo dataset: runs and studies use it when no dataset is named, so it cannot be deleted.`];
      return { target, dependents: [], dependentsOptional: false, blockers, notYours: [] };
    }
    const dependents = this.closure(kind, id).map(([k, x]) => this.item(k, x)!);
    const everything = [target, ...dependents];
    // A study's runs stay when it goes alone, but even then none may be training for it.
    const active = everything.filter((i) => i.kind === 'run' && ACTIVE.has(getRun(this.db, i.id)!.status));
    const blockers = active.length
      ? [`${countItems(active)} queued or running (${active.slice(0, NAMED).map((r) => r.id).join(', ')}${active.length > NAMED ? `, and ${active.length - NAMED} more` : ''}): cancel ${active.length === 1 ? 'it' : 'them'} first.`]
      : [];
    const mayDeleteAll = actor.via === 'system' || roleAllows(actor.role, 'admin');
    const notYours = mayDeleteAll ? [] : everything.filter((i) => this.ownerOf(i) !== actor.id);
    return { target, dependents, dependentsOptional: kind === 'study', blockers, notYours };
  }

  /** Deletes it (with its dependents when `cascade`) or refuses with the reason. */
  delete(kind: DeletableKind, id: string, cascade: boolean, actor: Actor): DeletionResult {
    const plan = this.plan(kind, id, actor);
    const { target, dependents } = plan;
    if (plan.blockers.length) throw new Refusal(`${capitalise(kind)} ${target.label} cannot be deleted: ${plan.blockers.join(' ')}`, 'CONFLICT');
    if (dependents.length && !cascade && !plan.dependentsOptional) {
      throw new Refusal(
        `${capitalise(kind)} ${target.label} cannot be deleted: ${dependOn(dependents)} (${dependents.slice(0, NAMED).map((d) => d.label).join('; ')}${dependents.length > NAMED ? '; …' : ''}). ` +
          'Delete those first, or delete it with its dependents (tick "also delete what depends on it", or --with-dependents).',
        'CONFLICT',
      );
    }
    const going = cascade ? [target, ...dependents] : [target];
    const refused = plan.notYours.filter((i) => going.some((g) => g.kind === i.kind && g.id === i.id));
    if (refused.length) {
      throw new Refusal(
        `Editors delete only what they launched or imported; ${countItems(refused)} here ${refused.length === 1 ? 'was' : 'were'} started by someone else or the command line (${refused.slice(0, NAMED).map((r) => r.label).join('; ')}). Ask an admin.`,
        'FORBIDDEN',
      );
    }
    const ids = (k: DeletableKind) => going.filter((i) => i.kind === k).map((i) => i.id);
    const gone: Deleted = { runIds: ids('run'), studyIds: ids('study'), datasetIds: ids('dataset') };
    const dirs = this.filesOf(gone);
    this.deleteRows(gone);
    // The rows went first, in one transaction; the files go only after it committed. A crash in
    // between leaves orphan files under DATA_DIR, never rows pointing at missing files.
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    const also = going.length > 1 ? ` (with ${countItems(going.slice(1))})` : '';
    this.activity.record({ userId: actor.via === 'system' ? null : actor.id, action: 'deleted', targetKind: kind, targetId: id, summary: `${target.label}${also}` });
    this.deleted(gone);
    return { runs: gone.runIds.length, studies: gone.studyIds.length, datasets: gone.datasetIds.length };
  }

  private deleteRows({ runIds, studyIds, datasetIds }: Deleted): void {
    this.db.transaction((tx) => {
      if (runIds.length) {
        tx.delete(comments).where(and(eq(comments.targetKind, 'run'), inArray(comments.targetId, runIds))).run();
        for (const table of [metricPoints, runLogs, runImages, results]) tx.delete(table).where(inArray(table.runId, runIds)).run();
        tx.delete(studyNodes).where(inArray(studyNodes.runId, runIds)).run();
        tx.delete(runs).where(inArray(runs.id, runIds)).run();
      }
      if (studyIds.length) {
        tx.delete(comments).where(and(eq(comments.targetKind, 'study'), inArray(comments.targetId, studyIds))).run();
        tx.delete(studyNodes).where(inArray(studyNodes.studyId, studyIds)).run();
        tx.delete(studies).where(inArray(studies.id, studyIds)).run();
      }
      if (datasetIds.length) tx.delete(datasets).where(inArray(datasets.id, datasetIds)).run();
    });
  }

  /** The folders that go with them: a run's artifacts (checkpoints, PNGs) and staged synthesis,
   * a dataset's version folder. */
  private filesOf({ runIds, datasetIds }: Deleted): string[] {
    const runDirs = runIds.flatMap((id) => [path.join(this.dataDir, 'artifacts', id), stagingDir(this.dataDir, id)]);
    const datasetDirs = datasetIds.map((id) => getDataset(this.db, id)?.dir).filter((d): d is string => !!d).map((d) => path.join(this.dataDir, d));
    return [...runDirs, ...datasetDirs].filter((dir) => isInside(this.dataDir, dir));
  }

  /** Everything that depends on the target, transitively (a study's runs only when the study is
   * the target: a study reached through one of its runs goes without its other runs). */
  private closure(kind: DeletableKind, id: string): Ref[] {
    const seen = new Set<string>([`${kind}:${id}`]);
    const found: Ref[] = [];
    const todo: Ref[] = this.dependentsOf(kind, id, true);
    while (todo.length) {
      const ref = todo.shift()!;
      const key = ref.join(':');
      if (seen.has(key)) continue;
      seen.add(key);
      found.push(ref);
      todo.push(...this.dependentsOf(ref[0], ref[1], false));
    }
    return found;
  }

  private dependentsOf(kind: DeletableKind, id: string, isTarget: boolean): Ref[] {
    const refs = (k: DeletableKind, rows: { id: string | null }[]): Ref[] => rows.filter((r) => r.id).map((r) => [k, r.id!]);
    if (kind === 'run') {
      const made = this.synthetic().filter((d) => d.lineage!.synthesisRun === id || d.lineage!.generators.some((g) => g.runId === id));
      const drawnFrom = this.db.select({ id: runs.id }).from(runs).where(sql`exists (select 1 from json_each(${runs.config}, '$.generators') where json_extract(value, '$.runId') = ${id})`).all();
      const inStudies = this.db.selectDistinct({ id: studyNodes.studyId }).from(studyNodes).where(eq(studyNodes.runId, id)).all();
      return [...refs('run', drawnFrom), ...refs('dataset', made), ...refs('study', inStudies)];
    }
    if (kind === 'dataset') {
      const trained = this.db.select({ id: runs.id }).from(runs).where(or(eq(runs.datasetId, id), sql`json_extract(${runs.config}, '$.syntheticDatasetId') = ${id}`)).orderBy(asc(runs.createdAt)).all();
      const made = this.synthetic().filter((d) => d.lineage!.realDataset === id);
      const measured = this.db.select({ id: studies.id }).from(studies).where(eq(studies.datasetId, id)).all();
      return [...refs('run', trained), ...refs('dataset', made), ...refs('study', measured)];
    }
    if (!isTarget) return [];
    return refs('run', this.db.selectDistinct({ id: studyNodes.runId }).from(studyNodes).where(and(eq(studyNodes.studyId, id), isNotNull(studyNodes.runId))).all());
  }

  private synthetic(): DatasetRow[] {
    return this.db.select().from(datasets).where(eq(datasets.kind, 'synthetic')).all().filter((d) => d.lineage);
  }

  private item(kind: DeletableKind, id: string): DeletionItem | undefined {
    if (kind === 'run') {
      const run = getRun(this.db, id);
      return run && { kind, id, label: runSummary(run.config, (d) => getDataset(this.db, d)?.name ?? d) };
    }
    if (kind === 'dataset') {
      const dataset = getDataset(this.db, id);
      return dataset && { kind, id, label: dataset.name };
    }
    const study = this.db.select({ name: studies.name }).from(studies).where(eq(studies.id, id)).get();
    return study && { kind, id, label: study.name };
  }

  /** Who launched or imported it (null: the command line, or nobody recorded). */
  private ownerOf({ kind, id }: DeletionItem): string | null {
    if (kind === 'run') return getRun(this.db, id)?.launchedBy ?? null;
    if (kind === 'study') return this.db.select({ by: studies.launchedBy }).from(studies).where(eq(studies.id, id)).get()?.by ?? null;
    const dataset = getDataset(this.db, id);
    if (dataset?.lineage) return getRun(this.db, dataset.lineage.synthesisRun)?.launchedBy ?? null;
    // Imports are recorded only in the activity log: the first person who imported it.
    const first = this.db
      .select({ userId: activity.userId })
      .from(activity)
      .where(and(eq(activity.action, 'imported'), eq(activity.targetKind, 'dataset'), eq(activity.targetId, id)))
      .orderBy(asc(activity.id))
      .get();
    return first?.userId ?? null;
  }
}

const capitalise = (word: string) => word[0].toUpperCase() + word.slice(1);

/** A folder strictly inside DATA_DIR (a stored path never leads a deletion outside it). */
function isInside(root: string, dir: string): boolean {
  const relative = path.relative(root, dir);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
