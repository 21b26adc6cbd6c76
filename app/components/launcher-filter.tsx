'use client';
// The runs list's "launched by" filter: everyone, each person who launched a run, or the command
// line. The choices reload when a run appears from someone not yet among them.
import { useEffect, useRef, useState } from 'react';
import { trpc } from '../lib/trpc';
import { getSocket } from '../lib/socket';
import type { RunView } from '../../lib/contracts/events';

/** The URL value that stands for runs launched by no person. */
export const COMMAND_LINE = 'command-line';

type Launchers = Awaited<ReturnType<typeof trpc.runs.launchers.query>>;

export function LauncherFilter({ value, onChange }: { value: string | null; onChange: (value: string | null) => void }) {
  const [launchers, setLaunchers] = useState<Launchers>({ people: [], commandLine: false });
  const known = useRef(launchers);
  known.current = launchers;

  useEffect(() => {
    const load = () => void trpc.runs.launchers.query().then(setLaunchers, () => {});
    const onRun = (run: RunView) => {
      const seen = run.launchedById ? known.current.people.some((p) => p.id === run.launchedById) : known.current.commandLine;
      if (!seen) load();
    };
    const socket = getSocket();
    socket.on('run:updated', onRun);
    load();
    return () => void socket.off('run:updated', onRun);
  }, []);

  const unknown = value && value !== COMMAND_LINE && !launchers.people.some((p) => p.id === value);
  return (
    <label className="flex items-center gap-2 text-sm text-zinc-600 dark:text-zinc-400">
      Launched by
      <select
        className="rounded border border-zinc-300 bg-white px-2 py-1 text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value || null)}
        data-testid="runs-filter"
      >
        <option value="">everyone</option>
        {launchers.people.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        {(launchers.commandLine || value === COMMAND_LINE) && <option value={COMMAND_LINE}>command line</option>}
        {unknown && <option value={value}>someone who launched nothing yet</option>}
      </select>
    </label>
  );
}
