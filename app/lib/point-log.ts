// A run's metric points in the browser, append-only: a live batch costs what it adds, not what the
// run already holds (a run page stays smooth at 100,000 points). Readers re-read `all` when
// `version` changes; the array itself is kept and grown in place.
import type { StoredMetricPoint } from '../../lib/contracts/events';

export class PointLog {
  /** Every point once, in id order. */
  readonly all: StoredMetricPoint[] = [];
  /** Bumped by every add that changed `all`. */
  version = 0;
  private readonly seen = new Set<number>();

  /** Adds the points not seen yet; true when any was new. History that arrives after live points
   * (a late joiner) is merged by one sort, not one insertion per point. */
  add(incoming: StoredMetricPoint[]): boolean {
    let ordered = true;
    let added = 0;
    for (const p of incoming) {
      if (this.seen.has(p.id)) continue;
      this.seen.add(p.id);
      const last = this.all.at(-1);
      if (last && p.id < last.id) ordered = false;
      this.all.push(p);
      added++;
    }
    if (!ordered) this.all.sort((a, b) => a.id - b.id);
    if (added) this.version++;
    return added > 0;
  }

  /** Drops the points after `step` (a run taken up again trains those steps anew). */
  truncateAfter(step: number): boolean {
    const kept = this.all.filter((p) => p.step <= step);
    if (kept.length === this.all.length) return false;
    this.all.splice(0, this.all.length, ...kept);
    this.version++;
    return true;
  }
}
