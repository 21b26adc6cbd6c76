// Aligns named metric series onto one step axis for a chart, incrementally: points appended to
// the run's point log (point-log.ts) cost what they add; anything else (a late history merged in
// before the points already seen, a step out of order) rebuilds once.
import type { StoredMetricPoint } from '../../lib/contracts/events';

export type Aligned = [steps: number[], ...columns: (number | null)[][]];

export class SeriesAligner {
  private steps: number[] = [];
  private index = new Map<number, number>();
  private columns: (number | null)[][];
  private seen = 0;
  private lastSeen: StoredMetricPoint | undefined;
  private source: readonly StoredMetricPoint[] | null = null;

  constructor(private readonly names: readonly string[]) {
    this.columns = names.map(() => []);
  }

  /** The aligned data for `points`; a new outer array on every call (the columns are reused). */
  update(points: readonly StoredMetricPoint[]): Aligned {
    // Points are only ever added: the one last seen stays at its index unless some were merged in before it.
    if (points !== this.source || points.length < this.seen || (this.seen > 0 && points[this.seen - 1] !== this.lastSeen)) this.reset(points);
    for (let i = this.seen; i < points.length; i++) {
      const p = points[i];
      const k = this.names.indexOf(p.name);
      if (k < 0) continue;
      let at = this.index.get(p.step);
      if (at === undefined) {
        if (this.steps.length > 0 && p.step < this.steps[this.steps.length - 1]) return this.rebuild(points);
        at = this.steps.push(p.step) - 1;
        this.index.set(p.step, at);
        for (const column of this.columns) column.push(null);
      }
      this.columns[k][at] = p.value;
    }
    this.seen = points.length;
    this.lastSeen = points[points.length - 1];
    return [this.steps, ...this.columns];
  }

  private reset(points: readonly StoredMetricPoint[]): void {
    this.source = points;
    this.steps = [];
    this.index = new Map();
    this.columns = this.names.map(() => []);
    this.seen = 0;
    this.lastSeen = undefined;
  }

  /** Everything again, sorted by step (the rare out-of-order case). */
  private rebuild(points: readonly StoredMetricPoint[]): Aligned {
    this.reset(points);
    const wanted = points.filter((p) => this.names.includes(p.name));
    this.steps = [...new Set(wanted.map((p) => p.step))].sort((a, b) => a - b);
    this.steps.forEach((s, i) => this.index.set(s, i));
    this.columns = this.names.map(() => new Array<number | null>(this.steps.length).fill(null));
    for (const p of wanted) this.columns[this.names.indexOf(p.name)][this.index.get(p.step)!] = p.value;
    this.seen = points.length;
    this.lastSeen = points[points.length - 1];
    return [this.steps, ...this.columns];
  }
}
