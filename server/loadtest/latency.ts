// Latencies as a histogram of 0.1 ms bins: hundreds of viewers times a million points would not
// fit as a list, and a bin's width is below what the figures are read to.
const BIN_MS = 0.1;
const MAX_MS = 60_000;

export class LatencyHistogram {
  private readonly bins = new Uint32Array(MAX_MS / BIN_MS + 1);
  count = 0;
  maxMs = 0;

  /** Adds `n` receipts that took `ms` each (a batch arrives at once). */
  add(ms: number, n = 1): void {
    const clamped = Math.max(0, ms);
    this.bins[Math.min(this.bins.length - 1, Math.floor(clamped / BIN_MS))] += n;
    this.count += n;
    if (clamped > this.maxMs) this.maxMs = clamped;
  }

  /** The q-quantile (0..1) in ms, as the upper edge of its bin; null when empty. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i];
      if (seen >= rank) return Math.min(this.maxMs, (i + 1) * BIN_MS);
    }
    return this.maxMs;
  }
}
