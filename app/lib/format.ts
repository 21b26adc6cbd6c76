// Number and time formatting shared by the views.
export const pct = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)}%`);

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "12 s ago", "3 min ago", "2 h ago", "4 d ago" (`now` ticks in the caller). */
export function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return s < 86_400 ? `${Math.floor(s / 3600)} h ago` : `${Math.floor(s / 86_400)} d ago`;
}

export const time = (ms: number | null) => (ms ? new Date(ms).toLocaleTimeString() : '—');

/** "BrainCNN", or "VAE (tumour)" / "GAN (healthy)" for the per-class generators. */
export function modelLabel(run: { model: string; config?: unknown; imageClass?: string | null }): string {
  if (run.model === 'cnn') return 'BrainCNN';
  if (run.model === 'cvae') return 'BrainCVAE';
  if (run.model === 'synth') return 'Synthesis';
  const name = run.model.toUpperCase();
  return run.imageClass ? `${name} (${run.imageClass === 'tumor' ? 'tumour' : 'healthy'})` : name;
}

/** Who launched or did something: their name, "command line" (no person), or "removed person"
 * (an id whose person is gone). */
export function personLabel(name: string | null, id: string | null): string {
  return name ?? (id ? 'removed person' : 'command line');
}
