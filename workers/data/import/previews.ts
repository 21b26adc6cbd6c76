// Preview images of a dataset version, as PNG: a grid of preprocessed slices per class and a
// before/after strip showing raw inputs (whole canvas, on grey) beside their preprocessed result.
import sharp from 'sharp';

async function gridPng(tiles: Uint8Array[], tile: number, columns: number): Promise<Buffer> {
  const rows = Math.max(1, Math.ceil(tiles.length / columns));
  const canvas = Buffer.alloc(rows * tile * columns * tile, 24);
  tiles.forEach((t, k) => {
    const ox = (k % columns) * tile;
    const oy = Math.floor(k / columns) * tile;
    for (let y = 0; y < tile; y++) canvas.set(t.subarray(y * tile, (y + 1) * tile), (oy + y) * columns * tile + ox);
  });
  return sharp(canvas, { raw: { width: columns * tile, height: rows * tile, channels: 1 } }).png().toBuffer();
}

export function classGridPng(images: Uint8Array[], size: number, columns = 8): Promise<Buffer> {
  return gridPng(images, size, columns);
}

/** Each raw input is fitted, whole, into a size x size grey box so its canvas shape stays visible. */
export async function beforeAfterPng(samples: { gray: Uint8Array; width: number; height: number; after: Uint8Array }[], size: number): Promise<Buffer> {
  const tiles: Uint8Array[] = [];
  for (const s of samples) {
    const before = await sharp(Buffer.from(s.gray), { raw: { width: s.width, height: s.height, channels: 1 } })
      .resize(size, size, { fit: 'contain', background: { r: 96, g: 96, b: 96 } })
      .extractChannel(0)
      .raw()
      .toBuffer();
    tiles.push(new Uint8Array(before), s.after);
  }
  return gridPng(tiles, size, 4);
}
