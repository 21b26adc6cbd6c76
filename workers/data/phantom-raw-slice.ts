// One raw, Br35H-like demo file: a phantom slice rendered on its sampled acquisition canvas and
// encoded as a JPEG.
import { generatePhantom } from './phantom';
import { Rng, hashSeed } from './phantom-math';
import { composite } from './phantom-raw-composite';
import { encodeJpeg, toPixels } from './phantom-raw-jpeg';
import { sampleLayout } from './phantom-raw-layout';
import { drawMarkers } from './phantom-raw-markers';

// The layout's random stream; distinct from the phantom's (which hashes 3 parts, this 4) and from
// STREAM_COPIES of the folder writer (phantom-raw.ts).
const STREAM_LAYOUT = 0x7261;

export interface RawSlice {
  /** Br35H-style name: `y<N>.jpg` (tumour, folder yes/) or `no<N>.jpg` (healthy, folder no/). */
  file: string;
  jpeg: Buffer;
  width: number;
  height: number;
}

export function rawFileName(index: number, tumor: boolean): string {
  return tumor ? `y${index}.jpg` : `no${index}.jpg`;
}

/**
 * One raw Br35H-like file, deterministic in (seed, index, tumor). Tumour and healthy files with the
 * same index use different phantom indices, so they are not the same head with and without lesion.
 */
export async function renderRawSlice(opts: { seed: number; index: number; tumor: boolean }): Promise<RawSlice> {
  const { seed, index, tumor } = opts;
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`index must be a non-negative integer, got ${index}`);
  const rng = new Rng(hashSeed(seed, index, tumor ? 1 : 0, STREAM_LAYOUT));
  const layout = sampleLayout(rng);
  const phantom = generatePhantom({ seed, index: 2 * index + (tumor ? 0 : 1), tumor, size: layout.phantomSize });
  const { grey, head } = composite(layout, phantom, rng);
  if (layout.markers.text || layout.markers.ruler) drawMarkers(layout, grey, head, rng);
  const { data, channels } = toPixels(grey, layout.colour);
  const jpeg = await encodeJpeg(data, layout.width, layout.height, channels, layout.quality);
  return { file: rawFileName(index, tumor), jpeg, width: layout.width, height: layout.height };
}
