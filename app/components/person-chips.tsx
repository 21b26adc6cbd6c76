'use client';
// People as small chips, each with their colour (from their id): who is online in the header, who
// else is watching a run or study page.
import type { PresencePerson } from '../../lib/contracts/presence';

export function PersonDot({ color, size = 'h-2 w-2' }: { color: string; size?: string }) {
  return <span aria-hidden className={`inline-block shrink-0 rounded-full ${size}`} style={{ backgroundColor: color }} />;
}

export function PersonChips({ people, label, testId, max = 6 }: { people: PresencePerson[]; label: string; testId: string; max?: number }) {
  if (people.length === 0) return null;
  const shown = people.slice(0, max);
  return (
    <span className="flex flex-wrap items-center gap-1.5 text-xs" data-testid={testId}>
      <span className="text-zinc-500">{label}</span>
      {shown.map((p) => (
        <span
          key={p.id}
          data-testid="person-chip"
          data-person-id={p.id}
          title={p.name}
          className="inline-flex max-w-40 items-center gap-1.5 rounded-full border border-zinc-200 bg-white px-2 py-0.5 text-zinc-700 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200"
        >
          <PersonDot color={p.color} />
          <span className="truncate">{p.name}</span>
        </span>
      ))}
      {people.length > max && <span className="text-zinc-500" title={people.slice(max).map((p) => p.name).join(', ')}>+{people.length - max}</span>}
    </span>
  );
}
