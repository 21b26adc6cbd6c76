// Runs studies as DAGs. A step launches when every step it depends on has succeeded; a failed or
// cancelled step blocks only what depends on it (transitively); retry relaunches the failed and
// blocked part. A step whose exact config already has a succeeded run reuses that run instead of
// training again (so a retried or repeated study only pays for what is missing). Runs are
// launched and cancelled through the run service.
import { and, eq } from 'drizzle-orm';
import crypto from 'node:crypto';
import type { Db } from '../../db/client';
import { runs, studies, studyNodes, type RunRow } from '../../db/schema';
import { getRun } from '../../db/queries/runs';
import type { RunService } from '../services/runs';
import { getDataset } from '../../db/queries/datasets';
import { resolveRunConfig, type RunConfig } from '../../lib/contracts/run-config';
import { stepSpecSchema, studyLaunchSchema, type NodeState, type StepPlan, type StudyLaunch, type StudyView } from '../../lib/contracts/study';
import { isSyntheticSummary } from '../../lib/contracts/events';
import { planSynthesis } from '../datasets/synthesize';
import { checkPlan, table1Plan } from './templates';
import { studyView } from './view';

type StudyRow = typeof studies.$inferSelect;
type NodeRow = typeof studyNodes.$inferSelect;

export class StudyError extends Error {}

export interface StudyHooks {
  studyUpdated: (studyId: string) => void;
  log: (line: string) => void;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

export class StudyManager {
  /** The last change queued on each study: changes run one at a time per study, as a launch
   * waits on the queue and a second pass meanwhile would see the same step still waiting. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly origin: string,
    private readonly runs: RunService,
    private readonly hooks: StudyHooks,
  ) {}

  /** `launchedBy`: the starting person's id (null: the command line). Its steps' runs record the
   * same person, so the runs list shows (and filters) them under whoever started the study.
   * `check` sees the whole plan before anything is stored (the queue cap, the free space) and
   * throws to refuse it. */
  async create(raw: StudyLaunch, defaultDatasetId: string, launchedBy: string | null, check: (plan: StepPlan[]) => void = () => {}): Promise<StudyView> {
    const input = studyLaunchSchema.parse(raw);
    const datasetId = input.datasetId ?? defaultDatasetId;
    const dataset = getDataset(this.db, datasetId);
    if (!dataset) throw new StudyError(`Dataset ${datasetId} does not exist.`);
    if (dataset.kind === 'synthetic') throw new StudyError(`${dataset.name} is synthetic; a study needs the real dataset it measures against.`);
    const seeds = Array.from({ length: input.seeds }, (_, i) => i);
    const plan: StepPlan[] = table1Plan({ preset: input.preset, seeds, perClass: input.perClass ?? (input.preset === 'smoke' ? 48 : 1500), sweep: input.sweep });
    checkPlan(plan);
    check(plan);
    const id = `s-${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
    const name = input.name ?? `Table 1 · ${input.preset} · ${input.seeds} seed${input.seeds > 1 ? 's' : ''}`;
    this.db.transaction((tx) => {
      tx.insert(studies).values({ id, name, template: input.template, preset: input.preset, seeds, datasetId, spec: input, origin: this.origin, launchedBy, cancelled: false, createdAt: Date.now() }).run();
      for (const step of plan) tx.insert(studyNodes).values({ studyId: id, key: step.key, spec: step.spec, dependsOn: step.dependsOn, state: 'waiting' }).run();
    });
    await this.serially(id, () => this.advance(id));
    return this.view(id)!;
  }

  /** After a start: moves on every study of this process that is not cancelled (a step may have
   * finished while the server was down, before its dependents were launched). */
  async resumeStudies(): Promise<void> {
    const own = this.db.select().from(studies).where(and(eq(studies.origin, this.origin), eq(studies.cancelled, false))).all();
    for (const study of own) await this.moveOn(study.id);
  }

  /** The studies of a command-line process that is gone are run from here now. */
  async adoptStudies(fromOrigin: string): Promise<void> {
    const adopted = this.db.update(studies).set({ origin: this.origin }).where(eq(studies.origin, fromOrigin)).returning({ id: studies.id, cancelled: studies.cancelled }).all();
    for (const study of adopted) if (!study.cancelled) await this.moveOn(study.id);
  }

  private moveOn(studyId: string): Promise<void> {
    return this.serially(studyId, async () => {
      await this.advance(studyId);
      this.hooks.studyUpdated(studyId);
    }).catch((err) => this.hooks.log(`study ${studyId} could not move on: ${err instanceof Error ? err.message : err}`));
  }

  /** Called for every run change; a finished run moves its study on. */
  onRunChanged(row: RunRow): void {
    if (!TERMINAL.has(row.status)) return;
    const nodes = this.db.select().from(studyNodes).where(eq(studyNodes.runId, row.id)).all();
    for (const studyId of new Set(nodes.map((n) => n.studyId))) void this.moveOn(studyId);
  }

  /** Runs `change` after every change already queued on this study. */
  private serially<T>(studyId: string, change: () => Promise<T>): Promise<T> {
    const result = (this.pending.get(studyId) ?? Promise.resolve()).then(change);
    const settled = result.then(() => undefined, () => undefined);
    this.pending.set(studyId, settled);
    void settled.then(() => {
      if (this.pending.get(studyId) === settled) this.pending.delete(studyId);
    });
    return result;
  }

  private nodes(studyId: string): NodeRow[] {
    return this.db.select().from(studyNodes).where(eq(studyNodes.studyId, studyId)).orderBy(studyNodes.id).all();
  }

  private state(node: NodeRow): NodeState {
    if (node.state !== 'launched') return node.state;
    return (node.runId && getRun(this.db, node.runId)?.status) || 'failed';
  }

  /** Launches every ready step and blocks every step behind a failure, until nothing changes. */
  private async advance(studyId: string): Promise<void> {
    const study = this.db.select().from(studies).where(eq(studies.id, studyId)).get();
    if (!study) return;
    for (let changed = true; changed; ) {
      changed = false;
      const nodes = this.nodes(studyId);
      const byKey = new Map(nodes.map((n) => [n.key, n]));
      for (const node of nodes.filter((n) => n.state === 'waiting')) {
        const deps = node.dependsOn.map((k) => byKey.get(k)!);
        const bad = deps.find((d) => ['failed', 'cancelled', 'blocked'].includes(this.state(d)));
        if (bad) {
          this.setNode(node.id, { state: 'blocked', blockedBy: `${bad.key} ${this.state(bad)}` });
          changed = true;
        } else if (!study.cancelled && deps.every((d) => this.state(d) === 'succeeded')) {
          await this.launch(study, node, byKey);
          changed = true;
        }
      }
    }
  }

  private setNode(id: number, values: Partial<NodeRow>): void {
    this.db.update(studyNodes).set(values).where(eq(studyNodes.id, id)).run();
  }

  private async launch(study: StudyRow, node: NodeRow, byKey: Map<string, NodeRow>): Promise<void> {
    const spec = stepSpecSchema.parse(node.spec);
    const runOf = (key: string) => getRun(this.db, byKey.get(key)!.runId!)!;
    let config: RunConfig;
    try {
      if (spec.kind === 'synth') {
        config = planSynthesis(this.db, this.dataDir, { generators: spec.generators.map((k) => ({ runId: runOf(k).id })), perClass: spec.perClass, seed: spec.seed });
      } else {
        let syntheticDatasetId: string | undefined;
        if (spec.syntheticFrom) {
          const summary = runOf(spec.syntheticFrom).summary;
          if (!summary || !isSyntheticSummary(summary) || !summary.datasetId) throw new StudyError(`${spec.syntheticFrom} made no dataset`);
          syntheticDatasetId = summary.datasetId;
        }
        config = resolveRunConfig({ ...spec.launch, datasetId: study.datasetId, syntheticDatasetId }, study.datasetId);
      }
    } catch (err) {
      this.setNode(node.id, { state: 'blocked', blockedBy: err instanceof Error ? err.message : String(err) });
      return;
    }
    const existing = this.findSucceeded(config);
    if (existing) {
      this.setNode(node.id, { state: 'launched', runId: existing.id, reused: true, blockedBy: null });
      return;
    }
    // Launched into this process's queue: the dashboard, or the CLI that is running the study.
    // Steps that others wait on go first, the more waiting the sooner (generators, synthesis).
    const row = await this.runs.launch(config, this.origin, { launchedBy: study.launchedBy, priority: this.dependents(node.key, [...byKey.values()]) });
    this.setNode(node.id, { state: 'launched', runId: row.id, reused: false, blockedBy: null });
  }

  /** How many steps depend on `key`, directly or through others. */
  private dependents(key: string, nodes: NodeRow[]): number {
    const found = new Set<string>();
    const visit = (k: string) => {
      for (const n of nodes) if (n.dependsOn.includes(k) && !found.has(n.key)) (found.add(n.key), visit(n.key));
    };
    visit(key);
    return found.size;
  }

  /** A succeeded run with exactly this config (same model, data, seed and every setting). */
  private findSucceeded(config: RunConfig): RunRow | undefined {
    const wanted = JSON.stringify(config);
    return this.db
      .select()
      .from(runs)
      .where(and(eq(runs.model, config.model), eq(runs.seed, config.seed), eq(runs.status, 'succeeded'), eq(runs.datasetId, config.datasetId)))
      .all()
      .find((r) => JSON.stringify(r.config) === wanted);
  }

  /** Relaunches failed and cancelled steps and unblocks what waited on them. */
  retry(studyId: string): Promise<number> {
    return this.serially(studyId, () => this.retryNow(studyId));
  }

  private async retryNow(studyId: string): Promise<number> {
    const nodes = this.nodes(studyId);
    if (nodes.length === 0) throw new StudyError(`No study with id ${studyId}.`);
    let count = 0;
    this.db.transaction(() => {
      this.db.update(studies).set({ cancelled: false }).where(eq(studies.id, studyId)).run();
      for (const node of nodes) {
        const state = this.state(node);
        if (state === 'failed' || state === 'cancelled') {
          this.setNode(node.id, { state: 'waiting', runId: null, reused: false, attempts: node.attempts + 1, blockedBy: null });
          count++;
        } else if (state === 'blocked') {
          this.setNode(node.id, { state: 'waiting', blockedBy: null });
          count++;
        }
      }
    });
    await this.advance(studyId);
    this.hooks.studyUpdated(studyId);
    return count;
  }

  /** Stops launching new steps and cancels the study's queued and running runs. */
  cancel(studyId: string): Promise<void> {
    return this.serially(studyId, async () => {
      this.db.update(studies).set({ cancelled: true }).where(eq(studies.id, studyId)).run();
      for (const node of this.nodes(studyId)) {
        if (node.state === 'launched' && node.runId && !node.reused) await this.runs.cancel(node.runId);
      }
      await this.advance(studyId);
      this.hooks.studyUpdated(studyId);
    });
  }

  /** Every study, newest first, without their tables (the list shows status and counts). */
  list(): StudyView[] {
    return this.db.select().from(studies).all().sort((a, b) => b.createdAt - a.createdAt).map((s) => this.view(s.id, { withTable: false })!);
  }

  view(studyId: string, { withTable = true } = {}): StudyView | null {
    return studyView(this.db, studyId, withTable);
  }
}
