'use client';
// One study, live: its DAG of steps (generators, synthetic datasets, classifiers per seed) with
// each step's state and run, the comparison table filling in as classifiers finish, the
// mix-ratio sweep, retry and cancel, and the table's exports; who else is watching, the study's
// comments and each table cell's thread.
import { use, useEffect, useRef, useState } from 'react';
import Link from 'next/link';
import { trpc, errorMessage } from '../../lib/trpc';
import { getSocket } from '../../lib/socket';
import { duration, personLabel } from '../../lib/format';
import { CommentedTable } from '../../components/commented-table';
import { ExportLinks } from '../../components/export-links';
import { StudyStatus } from '../../components/study-status';
import { CurveChart } from '../../components/curve-chart';
import { useMe } from '../../lib/use-me';
import { useRouter } from 'next/navigation';
import { DeleteButton } from '../../components/delete-button';
import { usePageWatch } from '../../lib/use-presence';
import { useComments } from '../../lib/use-comments';
import { PersonChips } from '../../components/person-chips';
import { CommentsPanel } from '../../components/comments-panel';
import type { StudyView, StudyNodeView } from '../../../lib/contracts/study';

const STATE_COLOURS: Record<string, string> = {
  waiting: 'text-zinc-500', blocked: 'text-amber-700 dark:text-amber-400', queued: 'text-zinc-600', running: 'text-sky-700 dark:text-sky-400',
  succeeded: 'text-emerald-700 dark:text-emerald-400', failed: 'text-rose-700 dark:text-rose-400', cancelled: 'text-zinc-500',
};
const STEP_LABELS: Record<string, string> = { cnn: 'BrainCNN', cvae: 'BrainCVAE', vae: 'VAE', gan: 'GAN', synth: 'synthetic dataset' };

function Step({ node }: { node: StudyNodeView }) {
  return (
    <li className="flex flex-wrap items-baseline gap-2 text-sm" data-testid={`step-${node.key}`} data-state={node.state}>
      <span className="w-56 font-mono text-xs">{node.key}</span>
      <span className={`w-20 text-xs font-medium ${STATE_COLOURS[node.state]}`}>{node.state}{node.state === 'running' ? ` ${(node.progress * 100).toFixed(0)}%` : ''}</span>
      {node.runId && <Link href={`/runs/${node.runId}`} className="font-mono text-xs text-sky-700 underline dark:text-sky-400">{node.runId}</Link>}
      {node.reused && <span className="text-xs text-zinc-500">(reused an identical earlier run)</span>}
      {node.attempts > 0 && <span className="text-xs text-zinc-500">attempt {node.attempts + 1}</span>}
      {node.reason && <span className="text-xs text-zinc-500">— {node.reason}</span>}
    </li>
  );
}

export default function StudyPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const [study, setStudy] = useState<StudyView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { me, can } = useMe();
  const router = useRouter();
  const { viewers, joined } = usePageWatch('study', id);
  const thread = useComments({ kind: 'study', id }, joined);
  const pending = useRef<NodeJS.Timeout | null>(null);

  useEffect(() => {
    const load = () => trpc.studies.get.query({ id }).then((s) => setStudy(s as StudyView), (e) => setError(errorMessage(e)));
    // Run progress arrives many times a second: reload at most every 2 s for it.
    const soon = () => {
      pending.current ??= setTimeout(() => {
        pending.current = null;
        load();
      }, 2000);
    };
    const onStudy = (msg: { studyId: string }) => msg.studyId === id && load();
    const socket = getSocket();
    socket.on('study:updated', onStudy);
    socket.on('run:updated', soon);
    load();
    return () => {
      socket.off('study:updated', onStudy);
      socket.off('run:updated', soon);
      if (pending.current) clearTimeout(pending.current);
    };
  }, [id]);

  if (error && !study) return <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900">{error}</p>;
  if (!study) return <p className="text-sm text-zinc-500">Loading study {id}…</p>;
  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      setStudy((await trpc.studies.get.query({ id })) as StudyView);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const groups: [string, StudyNodeView[]][] = [
    ['Generators (one per class)', study.nodes.filter((n) => n.key.startsWith('gen-'))],
    ['Synthetic datasets', study.nodes.filter((n) => n.kind === 'synth')],
    ...study.seeds.map((seed): [string, StudyNodeView[]] => [`Classifiers, seed ${seed}`, study.nodes.filter((n) => n.kind === 'train' && !n.key.startsWith('gen-') && n.seed === seed)]),
  ];
  const sweepCurve = (metric: string, color: string) => {
    const points = study.sweep.filter((p) => p.metric === metric);
    return { label: `BrainCNN ${metric}`, x: points.map((p) => p.ratio), y: points.map((p) => p.mean), color };
  };
  const problems = study.counts.failed + study.counts.blocked + study.counts.cancelled;

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{study.name}</h1>
        <StudyStatus status={study.status} counts={study.counts} />
        {study.seconds !== null && <span className="text-sm text-zinc-500">finished in {duration(study.seconds * 1000)}</span>}
        <PersonChips people={viewers.filter((v) => v.id !== me?.id)} label="Also here" testId="page-watchers" />
        <span className="ml-auto flex gap-2">
          {study.status === 'running' && can('editor') && (
            <button disabled={busy} onClick={() => act(() => trpc.studies.cancel.mutate({ id }))} className="rounded border border-zinc-300 px-3 py-1 text-sm hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">Cancel study</button>
          )}
          {problems > 0 && can('editor') && (
            <button disabled={busy} data-testid="study-retry" onClick={() => act(() => trpc.studies.retry.mutate({ id }))} className="rounded bg-sky-700 px-3 py-1 text-sm text-white hover:bg-sky-800">
              Retry failed and blocked steps
            </button>
          )}
          {can('editor') && <DeleteButton kind="study" id={id} onDeleted={() => router.push('/studies')} />}
        </span>
      </div>
      <p className="text-sm text-zinc-500">
        Preset {study.preset} · seeds {study.seeds.join(', ')} · real data <Link className="text-sky-700 underline dark:text-sky-400" href={`/datasets/${study.datasetId}`}>{study.datasetId}</Link> · started {new Date(study.createdAt).toLocaleString()} by <span data-testid="study-launched-by">{personLabel(study.launchedBy, study.launchedById)}</span>
      </p>
      {error && <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900">{error}</p>}
      <section className="space-y-2">
        <div className="flex flex-wrap items-baseline gap-4">
          <h2 className="font-semibold">Table 1</h2>
          <ExportLinks base={`/api/studies/${study.id}/table`} />
        </div>
        {study.table.length === 0 ? <p className="text-sm text-zinc-500">Cells fill in as the classifiers finish.</p> : <CommentedTable cells={study.table} testId="study-table" />}
      </section>
      {new Set(study.sweep.map((p) => p.ratio)).size > 2 && (
        <section className="max-w-md">
          <CurveChart
            title={`Mix-ratio sweep: BrainCNN on real + x × synthetic (VAE) images; x = ${[...new Set(study.sweep.map((p) => p.ratio))].join(', ')}`}
            curves={[sweepCurve('accuracy', '#0284c7'), sweepCurve('f1', '#e11d48')]}
            xLabel="synthetic images added per real image"
            yLabel="test score"
            testId="sweep-chart"
          />
        </section>
      )}
      <section className="space-y-3">
        <h2 className="font-semibold">Steps</h2>
        {groups.map(([title, nodes]) => (
          <div key={title}>
            <h3 className="mb-1 text-sm font-medium">{title}</h3>
            <ul className="space-y-0.5">{nodes.map((n) => <Step key={n.key} node={n} />)}</ul>
          </div>
        ))}
      </section>
      <CommentsPanel target={{ kind: 'study', id }} title="Comments on this study" comments={thread.comments} error={thread.error} />
      <p className="text-xs text-zinc-500">{Object.entries(STEP_LABELS).map(([k, v]) => `${k} = ${v}`).join(' · ')}</p>
    </div>
  );
}
