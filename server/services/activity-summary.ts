// The one line the Activity page shows for an entry: what was launched, which study, which
// dataset, which person. Pure (names come from a lookup), so the wording is tested without a server.
import type { RunConfig } from '../../lib/contracts/run-config';
import type { Role } from '../../lib/contracts/team';

const count = (n: number) => n.toLocaleString('en-GB');
const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

/** "cnn · quick · seed 0 on demo-br35h", "vae (tumor) · smoke · seed 1 on br35h",
 * "cnn · quick · seed 0 on br35h + synthetic-vae-… (mixed)",
 * "synthesis: 1,500 images per class from vae (tumor) + vae (healthy) · seed 0 on br35h". */
export function runSummary(config: RunConfig, datasetName: (id: string) => string): string {
  const on = `on ${datasetName(config.datasetId)}`;
  if (config.model === 'synth') {
    const from = config.generators.map((g) => `${g.model} (${g.imageClass})`).join(' + ');
    return `synthesis: ${plural(config.perClass, 'image')} per class from ${from} · seed ${config.seed} ${on}`;
  }
  if (config.model === 'vae' || config.model === 'gan') return `${config.model} (${config.imageClass}) · ${config.preset} · seed ${config.seed} ${on}`;
  const synthetic = config.trainData !== 'real' && config.syntheticDatasetId ? ` + ${datasetName(config.syntheticDatasetId)} (${config.trainData})` : '';
  return `${config.model} · ${config.preset} · seed ${config.seed} ${on}${synthetic}`;
}

/** "br35h (3,000 images)", "br35h (3,000 images, already imported)". */
export function importSummary(name: string, images: number, alreadyImported: boolean): string {
  return `${name} (${plural(images, 'image')}${alreadyImported ? ', already imported' : ''})`;
}

/** "Table 1 · smoke · 1 seed", and after a retry "… (3 steps relaunched)". */
export function studySummary(name: string, relaunched?: number): string {
  return relaunched === undefined ? name : `${name} (${plural(relaunched, 'step')} relaunched)`;
}

/** "Vera Viewer: viewer → editor". */
export const roleChangeSummary = (name: string, from: Role, to: Role) => `${name}: ${from} → ${to}`;

/** "an editor invitation for eddie@lab.test" / "a viewer invitation". */
export function inviteSummary(role: Role, email: string | undefined): string {
  return `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} invitation${email ? ` for ${email}` : ''}`;
}
