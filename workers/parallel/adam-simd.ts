// Adam over the shared memory of a data-parallel step, in WebAssembly SIMD: the batch-weighted sum
// of the replicas' gradients and the moment and weight updates in one pass, four floats at a time.
// The same update in a JS loop (Exchange's fallback) cost 200 ms of a 1.6 s BrainCNN step at
// 128x128 for each thread's half of the 34 M weights (~12 ns per weight: V8 does float64 math with
// conversions at every typed-array access); this kernel does it in about a tenth of that (see
// `npm run bench`). It is assembled from the text below with wabt (WebAssembly's own assembler)
// once per process.
import wabt from 'wabt';

const WAT = `
(module
  (import "env" "memory" (memory 1 65536 shared))
  ;; adam(table, replicas, m, v, p, n, b1, b2, lrc, c2inv, eps)
  ;;   table: replicas pairs of (i32 byte offset of a gradient slice, f32 weight) at byte offset table
  ;;   m, v, p: byte offsets of the first moment, second moment and weights slices; n: floats
  ;;   g = sum_r w_r g_r; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
  ;;   p -= lrc * m / (sqrt(v * c2inv) + eps)   (lrc = lr / (1 - b1^t), c2inv = 1 / (1 - b2^t))
  (func (export "adam") (param $table i32) (param $replicas i32) (param $m i32) (param $v i32) (param $p i32) (param $n i32)
        (param $b1 f32) (param $b2 f32) (param $lrc f32) (param $c2inv f32) (param $eps f32)
    (local $i i32) (local $end4 i32) (local $end i32) (local $r i32) (local $entry i32)
    (local $g v128) (local $mv v128) (local $vv v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $end) (i32.const -16)))
    (block $done4
      (loop $simd
        (br_if $done4 (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $g (v128.const f32x4 0 0 0 0))
        (local.set $r (i32.const 0))
        (block $summed
          (loop $sum
            (br_if $summed (i32.ge_u (local.get $r) (local.get $replicas)))
            (local.set $entry (i32.add (local.get $table) (i32.shl (local.get $r) (i32.const 3))))
            (local.set $g (f32x4.add (local.get $g)
              (f32x4.mul (v128.load (i32.add (i32.load (local.get $entry)) (local.get $i)))
                         (f32x4.splat (f32.load offset=4 (local.get $entry))))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $sum)))
        (local.set $mv (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (f32x4.splat (local.get $b1)))
                                  (f32x4.mul (local.get $g) (f32x4.splat (f32.sub (f32.const 1) (local.get $b1))))))
        (local.set $vv (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (f32x4.splat (local.get $b2)))
                                  (f32x4.mul (f32x4.mul (local.get $g) (local.get $g)) (f32x4.splat (f32.sub (f32.const 1) (local.get $b2))))))
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mv))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vv))
        (v128.store (i32.add (local.get $p) (local.get $i))
          (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $i)))
            (f32x4.div (f32x4.mul (local.get $mv) (f32x4.splat (local.get $lrc)))
                       (f32x4.add (f32x4.sqrt (f32x4.mul (local.get $vv) (f32x4.splat (local.get $c2inv)))) (f32x4.splat (local.get $eps))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $simd)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gs (f32.const 0))
        (local.set $r (i32.const 0))
        (block $summed1
          (loop $sum1
            (br_if $summed1 (i32.ge_u (local.get $r) (local.get $replicas)))
            (local.set $entry (i32.add (local.get $table) (i32.shl (local.get $r) (i32.const 3))))
            (local.set $gs (f32.add (local.get $gs)
              (f32.mul (f32.load (i32.add (i32.load (local.get $entry)) (local.get $i))) (f32.load offset=4 (local.get $entry)))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $sum1)))
        (local.set $ms (f32.add (f32.mul (f32.load (i32.add (local.get $m) (local.get $i))) (local.get $b1))
                                (f32.mul (local.get $gs) (f32.sub (f32.const 1) (local.get $b1)))))
        (local.set $vs (f32.add (f32.mul (f32.load (i32.add (local.get $v) (local.get $i))) (local.get $b2))
                                (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (f32.sub (f32.const 1) (local.get $b2)))))
        (f32.store (i32.add (local.get $m) (local.get $i)) (local.get $ms))
        (f32.store (i32.add (local.get $v) (local.get $i)) (local.get $vs))
        (f32.store (i32.add (local.get $p) (local.get $i))
          (f32.sub (f32.load (i32.add (local.get $p) (local.get $i)))
            (f32.div (f32.mul (local.get $ms) (local.get $lrc))
                     (f32.add (f32.sqrt (f32.mul (local.get $vs) (local.get $c2inv))) (local.get $eps)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar)))))
`;

export type AdamKernel = (table: number, replicas: number, m: number, v: number, p: number, n: number, b1: number, b2: number, lrc: number, c2inv: number, eps: number) => void;

let compiled: Promise<WebAssembly.Module | null> | null = null;

/** The assembled module, once per process (helper threads receive it with their start-up data,
 * so wabt is loaded on the main thread only); null where WebAssembly SIMD or threads are
 * missing, in which case the exchange keeps its JS loop (the same update, slower). */
export function adamModule(): Promise<WebAssembly.Module | null> {
  compiled ??= (async () => {
    const assembler = await wabt();
    const parsed = assembler.parseWat('adam.wat', WAT, { simd: true, threads: true });
    try {
      // V8 validates the binary when compiling it (wabt's validator refuses shared memories here).
      return await WebAssembly.compile(Uint8Array.from(parsed.toBinary({}).buffer));
    } finally {
      parsed.destroy();
    }
  })().catch(() => null);
  return compiled;
}

/** The kernel of `module` bound to `memory` (a shared WebAssembly.Memory holding the exchange). */
export function adamKernel(module: WebAssembly.Module, memory: WebAssembly.Memory): AdamKernel {
  return new WebAssembly.Instance(module, { env: { memory } }).exports.adam as AdamKernel;
}

/** A shared memory of at least `bytes` bytes (whole 64 KiB pages). */
export function sharedMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  if (pages > 65536) throw new Error(`data-parallel exchange of ${(bytes / 2 ** 30).toFixed(1)} GiB exceeds WebAssembly's 4 GiB memory`);
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}
