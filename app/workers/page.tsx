'use client';
// Workers (everyone reads, admins act): the server's own worker processes and worker agents on
// other machines, what each brings (backend, device, GPU, memory, threads), whether it is
// connected, drained or gone with its last heartbeat, and the runs it trains now. Live: reloaded
// when a worker connects, leaves, is drained or removed, and every few seconds for progress.
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { WorkerView } from '../../lib/contracts/workers';
import { trpc } from '../lib/trpc';
import { useLiveQuery } from '../lib/use-live-query';
import { useMe } from '../lib/use-me';
import { ago, modelLabel } from '../lib/format';
import { ProgressBar } from '../components/status-badge';
import { WorkerActions } from '../components/worker-actions';

const loadWorkers = () => trpc.workers.list.query();
const loadDispatch = () => trpc.workers.dispatch.query();
/** Progress and heartbeats change without an announcement: the list is read again this often. */
const REFRESH_MS = 5000;

function useNow(periodMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}

const statusStyles = {
  connected: 'text-emerald-700 dark:text-emerald-400',
  drained: 'text-amber-700 dark:text-amber-400',
  gone: 'text-zinc-500',
} as const;
const statusOf = (w: WorkerView): keyof typeof statusStyles => (!w.connected ? 'gone' : w.drained ? 'drained' : 'connected');

export default function WorkersPage() {
  const { can } = useMe();
  const { data: workers, error, reload } = useLiveQuery(loadWorkers, 'workers:updated');
  const { data: dispatch } = useLiveQuery(loadDispatch, 'workers:updated');
  const now = useNow(1000);
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const admin = can('admin');
  const connected = workers?.filter((w) => w.connected).length ?? 0;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-4">
        <h1 className="text-xl font-semibold">Workers</h1>
        {dispatch && (
          <span className="text-sm text-zinc-500" data-testid="workers-dispatch">
            {dispatch.mode === 'team' ? <>Team mode: runs are dispatched through BullMQ on <code className="font-mono text-xs">{dispatch.redis}</code></> : <>Embedded queue (this server&apos;s database)</>}
            {dispatch.localWorkers === 0 ? ' · this server trains nothing itself' : ` · up to ${dispatch.localWorkers} local worker${dispatch.localWorkers === 1 ? '' : 's'}`}
          </span>
        )}
        <span className="ml-auto text-sm text-zinc-500" data-testid="workers-count">{workers ? `${connected} connected · ${workers.length} listed` : 'loading…'}</span>
      </div>
      {error && <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-200">Could not load the workers: {error}</p>}
      {workers && workers.length === 0 && (
        <div className="space-y-2 rounded border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400" data-testid="workers-empty">
          <p>No workers right now. The server starts its own workers when runs are queued (up to <code>MAX_WORKERS</code> at once); each leaves after a minute without work.</p>
          <p>
            A worker agent on another machine (a GPU box) joins with{' '}
            <code className="rounded bg-zinc-100 px-1 font-mono text-xs dark:bg-zinc-800">npm run worker -- --server &lt;url&gt; --token &lt;worker token&gt;</code>;
            admins make worker tokens on the <Link href="/people" className="text-sky-700 underline dark:text-sky-400">People</Link> page.
          </p>
        </div>
      )}
      {workers && workers.length > 0 && (
        <table className="w-full border-collapse text-sm tabular-nums" data-testid="workers-table">
          <thead>
            <tr className="whitespace-nowrap border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
              <th className="py-2 pr-3">Worker</th>
              <th className="pr-3">Kind</th>
              <th className="pr-3">Host</th>
              <th className="pr-3">Backend</th>
              <th className="pr-3">Device</th>
              <th className="pr-3">GPU</th>
              <th className="pr-3 text-right">Memory</th>
              <th className="pr-3 text-right">Threads</th>
              <th className="pr-3 text-right" title="Runs it trains at once">At once</th>
              <th className="pr-3">Status</th>
              <th className="pr-3">Training</th>
              {admin && <th />}
            </tr>
          </thead>
          <tbody>
            {workers.map((w) => {
              const status = statusOf(w);
              return (
                <tr key={w.id} className={`border-b border-zinc-100 align-top dark:border-zinc-900 [&>td]:py-2 ${w.connected ? '' : 'text-zinc-400 dark:text-zinc-500'}`} data-testid="worker-row" data-worker-id={w.id}>
                  <td className="whitespace-nowrap pr-3 font-mono text-xs" title={`process ${w.pid}`}>{w.id}</td>
                  <td className="whitespace-nowrap pr-3 text-xs">{w.kind === 'local' ? 'this server' : 'agent'}</td>
                  <td className="max-w-[7rem] truncate pr-3 text-xs" title={w.host}>{w.host}</td>
                  <td className="pr-3 font-mono text-xs" data-testid="worker-backend">{w.backend}</td>
                  <td className="max-w-[9rem] truncate pr-3 text-xs" title={w.device ?? undefined}>{w.device ?? '—'}</td>
                  <td className="pr-3 text-xs" data-testid="worker-gpu">{w.gpu ? 'yes' : 'no'}</td>
                  <td className="whitespace-nowrap pr-3 text-right text-xs">{w.memoryMb === null ? '—' : `${(w.memoryMb / 1024).toFixed(1)} GB`}</td>
                  <td className="pr-3 text-right text-xs">{w.threads ?? '—'}</td>
                  <td className="pr-3 text-right text-xs">{w.concurrency ?? '—'}</td>
                  <td className="whitespace-nowrap pr-3 text-xs">
                    <span className={`font-medium ${statusStyles[status]}`} data-testid="worker-status">{status}</span>
                    <span className="block text-zinc-500" title={new Date(w.disconnectedAt ?? w.lastSeen).toLocaleString()}>
                      {w.disconnectedAt === null ? `heard ${ago(w.lastSeen, now)}` : `left ${ago(w.disconnectedAt, now)}`}
                    </span>
                  </td>
                  <td className="pr-3 text-xs" data-testid="worker-runs">
                    {w.runs.length === 0 ? <span className="text-zinc-500">—</span> : w.runs.map((r) => (
                      <div key={r.id} className="whitespace-nowrap">
                        <Link href={`/runs/${r.id}`} className="font-mono text-sky-700 hover:underline dark:text-sky-400">{r.id}</Link>
                        <span className="flex items-center gap-2 text-zinc-500">
                          {modelLabel(r)} · {r.preset}
                          <ProgressBar value={r.progress} />
                          {Math.round(r.progress * 100)}%
                        </span>
                      </div>
                    ))}
                  </td>
                  {admin && <td className="whitespace-nowrap text-right"><WorkerActions worker={w} /></td>}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p className="text-xs text-zinc-500">Drain: the worker finishes what it trains and takes nothing new until resumed. Remove: it is disconnected and its runs go back to the queue, resuming from their last saved epoch. Workers gone for a day leave this list.</p>
    </div>
  );
}
