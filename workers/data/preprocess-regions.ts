// The working-grid mask operations of the paper's preprocessing (preprocess.ts, section 5.1):
// connected components of the foreground, the distance to the kept ones, and the filled head
// mask. Typed arrays and explicit stacks, no closures or objects per pixel: profiled on 600 demo
// JPEGs these were a third of an import's CPU time when written with them (issue 17).

/** Inclusive-exclusive pixel box: columns x0..x1-1, rows y0..y1-1. */
export interface Box { x0: number; y0: number; x1: number; y1: number }

export interface Component { area: number; core: number; box: Box }

/** 8-connected components of `mask`; `core` counts pixels whose (2k+1)^2 window is all foreground,
 *  i.e. what survives a morphological opening: thin rulers, text strokes and noise have none. */
export function components(mask: Uint8Array, w: number, h: number, k: number): { label: Int32Array; comps: Component[] } {
  const iw = w + 1;
  const integral = new Int32Array(iw * (h + 1));
  for (let y = 0; y < h; y++) {
    let rowSum = 0;
    for (let x = 0; x < w; x++) {
      rowSum += mask[y * w + x];
      integral[(y + 1) * iw + x + 1] = integral[y * iw + x + 1] + rowSum;
    }
  }
  const full = (2 * k + 1) ** 2;
  const label = new Int32Array(w * h).fill(-1);
  const comps: Component[] = [];
  const stack = new Int32Array(w * h); // a pixel is labelled when pushed, so pushed at most once
  for (let start = 0; start < w * h; start++) {
    if (!mask[start] || label[start] >= 0) continue;
    const id = comps.length;
    let area = 0, core = 0, x0 = w, y0 = h, x1 = 0, y1 = 0, top = 0;
    label[start] = id;
    stack[top++] = start;
    while (top > 0) {
      const p = stack[--top], x = p % w, y = (p - x) / w;
      area++;
      if (x >= k && y >= k && x + k < w && y + k < h) {
        const below = (y + k + 1) * iw, above = (y - k) * iw;
        if (integral[below + x + k + 1] - integral[above + x + k + 1] - integral[below + x - k] + integral[above + x - k] === full) core++;
      }
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x + 1 > x1) x1 = x + 1;
      if (y + 1 > y1) y1 = y + 1;
      const left = x > 0, right = x < w - 1;
      for (let yy = y > 0 ? y - 1 : y, ylast = y < h - 1 ? y + 1 : y; yy <= ylast; yy++) {
        const row = yy * w;
        if (left && mask[row + x - 1] && label[row + x - 1] < 0) { label[row + x - 1] = id; stack[top++] = row + x - 1; }
        if (mask[row + x] && label[row + x] < 0) { label[row + x] = id; stack[top++] = row + x; }
        if (right && mask[row + x + 1] && label[row + x + 1] < 0) { label[row + x + 1] = id; stack[top++] = row + x + 1; }
      }
    }
    comps.push({ area, core, box: { x0, y0, x1, y1 } });
  }
  return { label, comps };
}

/** Per component, the chessboard distance of its nearest pixel to a pixel of a kept component. */
export function distanceToKept(label: Int32Array, keep: Uint8Array, w: number, h: number): Float64Array {
  const d = chessboardDistance(label, keep, w, h);
  const near = new Float64Array(keep.length).fill(Infinity);
  for (let i = 0; i < label.length; i++) if (label[i] >= 0 && d[i] < near[label[i]]) near[label[i]] = d[i];
  return near;
}

/** Chessboard distance of every working pixel to the nearest pixel of a kept component (two passes).
 *  Written out with the neighbours inlined: a helper call per neighbour made this a quarter of an
 *  import's CPU time (profiled on 600 demo JPEGs); the result is the same. */
function chessboardDistance(label: Int32Array, keep: Uint8Array, w: number, h: number): Int32Array {
  const far = w + h;
  const d = new Int32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = label[i] >= 0 && keep[label[i]] ? 0 : far;
  // Forward: left, up-left, up, up-right.
  for (let y = 0; y < h; y++) {
    const row = y * w, up = row - w;
    for (let x = 0; x < w; x++) {
      let v = d[row + x];
      if (x > 0 && d[row + x - 1] + 1 < v) v = d[row + x - 1] + 1;
      if (y > 0) {
        if (x > 0 && d[up + x - 1] + 1 < v) v = d[up + x - 1] + 1;
        if (d[up + x] + 1 < v) v = d[up + x] + 1;
        if (x < w - 1 && d[up + x + 1] + 1 < v) v = d[up + x + 1] + 1;
      }
      d[row + x] = v;
    }
  }
  // Backward: right, down-right, down, down-left.
  for (let y = h - 1; y >= 0; y--) {
    const row = y * w, down = row + w;
    for (let x = w - 1; x >= 0; x--) {
      let v = d[row + x];
      if (x < w - 1 && d[row + x + 1] + 1 < v) v = d[row + x + 1] + 1;
      if (y < h - 1) {
        if (x < w - 1 && d[down + x + 1] + 1 < v) v = d[down + x + 1] + 1;
        if (d[down + x] + 1 < v) v = d[down + x] + 1;
        if (x > 0 && d[down + x - 1] + 1 < v) v = d[down + x - 1] + 1;
      }
      d[row + x] = v;
    }
  }
  return d;
}

/** Kept components with their holes filled (dark ventricles, bone): 2 where the whole 3x3 neighbourhood
 *  is head, 1 on the one-pixel rim around it, where the blur and the coarse grid leave it undecided. */
export function headMask(label: Int32Array, keep: Uint8Array, w: number, h: number): Uint8Array {
  // 1 = background reached from the border through non-kept pixels (4-connected), 0 = head.
  const outside = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  let top = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w, step = y === 0 || y === h - 1 ? 1 : Math.max(1, w - 1); // the border: whole first and last rows, both ends of the others
    for (let i = row; i < row + w; i += step) if (!outside[i] && !(label[i] >= 0 && keep[label[i]])) { outside[i] = 1; stack[top++] = i; }
  }
  while (top > 0) {
    const p = stack[--top], x = p % w;
    let q = p - 1;
    if (x > 0 && !outside[q] && !(label[q] >= 0 && keep[label[q]])) { outside[q] = 1; stack[top++] = q; }
    q = p + 1;
    if (x < w - 1 && !outside[q] && !(label[q] >= 0 && keep[label[q]])) { outside[q] = 1; stack[top++] = q; }
    q = p - w;
    if (p >= w && !outside[q] && !(label[q] >= 0 && keep[label[q]])) { outside[q] = 1; stack[top++] = q; }
    q = p + w;
    if (p < w * (h - 1) && !outside[q] && !(label[q] >= 0 && keep[label[q]])) { outside[q] = 1; stack[top++] = q; }
  }
  // Whether all / any of each pixel's (clipped) 3x3 window is head: along rows, then down columns.
  const rowAll = new Uint8Array(w * h), rowAny = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      // A window clipped at the border: the missing neighbour counts as the centre, which changes neither.
      const c = outside[row + x], lOut = x > 0 ? outside[row + x - 1] : c, rOut = x < w - 1 ? outside[row + x + 1] : c;
      rowAll[row + x] = lOut | c | rOut ? 0 : 1;
      rowAny[row + x] = lOut & c & rOut ? 0 : 1;
    }
  }
  const head = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const up = y > 0 ? (y - 1) * w : y * w, row = y * w, down = y < h - 1 ? (y + 1) * w : y * w;
    for (let x = 0; x < w; x++) {
      head[row + x] = rowAll[up + x] & rowAll[row + x] & rowAll[down + x] ? 2 : rowAny[up + x] | rowAny[row + x] | rowAny[down + x] ? 1 : 0;
    }
  }
  return head;
}
