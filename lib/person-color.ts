// A person's colour on presence badges, comment authors and chart markers: derived from their id
// alone (FNV-1a hash into a fixed palette), so every browser and the server agree without storing it.

/** Mid-tone colours that read on white and on the dark theme's zinc-900 alike. */
export const PERSON_PALETTE = [
  '#0ea5e9', // sky
  '#f43f5e', // rose
  '#10b981', // emerald
  '#f59e0b', // amber
  '#8b5cf6', // violet
  '#14b8a6', // teal
  '#f97316', // orange
  '#d946ef', // fuchsia
  '#84cc16', // lime
  '#6366f1', // indigo
  '#06b6d4', // cyan
  '#ec4899', // pink
] as const;

/** The same id always gives the same colour. */
export function personColor(id: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return PERSON_PALETTE[hash % PERSON_PALETTE.length];
}
