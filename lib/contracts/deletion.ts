// Deleting a run, a study or a dataset: the request, and what the server answers before it
// deletes anything (what would go with it, and what stops it), so a dialog and the command line
// list it first.
import { z } from 'zod';
import { idSchema } from './run-config';

export const deletableKinds = ['run', 'study', 'dataset'] as const;
export type DeletableKind = (typeof deletableKinds)[number];

export const deletionTargetSchema = z.object({ id: idSchema });
/** `cascade`: delete what depends on it too (the dialog's checkbox, `--with-dependents`). */
export const deleteInputSchema = deletionTargetSchema.extend({ cascade: z.boolean().default(false) });

export interface DeletionItem {
  kind: DeletableKind;
  id: string;
  /** One readable line: a run's summary, a dataset's or a study's name. */
  label: string;
}

export interface DeletionPlan {
  target: DeletionItem;
  /** What goes with it when cascading (a study's: its runs and what depends on them). */
  dependents: DeletionItem[];
  /** Whether it can go without its dependents (a study can: its runs stay). */
  dependentsOptional: boolean;
  /** What stops the deletion even with its dependents (a running run, the demo dataset). */
  blockers: string[];
  /** Of the target and its dependents, what the asker may not delete (others' runs: admins only). */
  notYours: DeletionItem[];
}

export interface DeletionResult {
  runs: number;
  studies: number;
  datasets: number;
}

const words: Record<DeletableKind, [string, string]> = { run: ['run', 'runs'], study: ['study', 'studies'], dataset: ['dataset', 'datasets'] };

/** "1 run depends" / "2 runs and 1 dataset depend": the verb agrees with the count. */
export const dependOn = (items: DeletionItem[]) => `${countItems(items)} ${items.length === 1 ? 'depends' : 'depend'} on it`;

/** "2 runs, 1 dataset and 1 study" (empty: "nothing"). */
export function countItems(items: DeletionItem[]): string {
  const parts = deletableKinds
    .map((kind) => [kind, items.filter((i) => i.kind === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n.toLocaleString('en-GB')} ${words[kind][n === 1 ? 0 : 1]}`);
  if (parts.length === 0) return 'nothing';
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
