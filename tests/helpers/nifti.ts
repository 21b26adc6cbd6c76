// Writes small NIfTI-1 volumes by hand for tests (no data can be downloaded here).
export type Voxels = Int16Array | Float32Array | Uint8Array | Uint16Array | Int32Array | Float64Array | Int8Array;

const DATATYPE: Record<string, { code: number; bits: number }> = {
  Uint8Array: { code: 2, bits: 8 },
  Int16Array: { code: 4, bits: 16 },
  Int32Array: { code: 8, bits: 32 },
  Float32Array: { code: 16, bits: 32 },
  Float64Array: { code: 64, bits: 64 },
  Int8Array: { code: 256, bits: 8 },
  Uint16Array: { code: 512, bits: 16 },
};

export interface WriteOptions {
  dims: number[];
  voxels: Voxels;
  slope?: number;
  inter?: number;
  /** 3x4 voxel-to-RAS rows; sets sform_code 1. Without it, qform/sform codes are 0. */
  sform?: number[][];
  littleEndian?: boolean;
  datatype?: number;
}

/** A single-file NIfTI-1: 348-byte header, 4 zero extension bytes, voxels at offset 352. */
export function writeNifti(opts: WriteOptions): Buffer {
  const le = opts.littleEndian ?? true;
  const type = DATATYPE[opts.voxels.constructor.name];
  const bytesPer = type.bits / 8;
  const buf = Buffer.alloc(352 + opts.voxels.length * bytesPer);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  view.setInt32(0, 348, le);
  view.setInt16(40, opts.dims.length, le);
  opts.dims.forEach((d, i) => view.setInt16(42 + 2 * i, d, le));
  for (let i = opts.dims.length + 1; i < 8; i++) view.setInt16(40 + 2 * i, 1, le);
  view.setInt16(70, opts.datatype ?? type.code, le);
  view.setInt16(72, type.bits, le);
  view.setFloat32(76, 1, le); // qfac
  for (let i = 1; i < 8; i++) view.setFloat32(76 + 4 * i, 1, le); // 1 mm voxels
  view.setFloat32(108, 352, le);
  view.setFloat32(112, opts.slope ?? 1, le);
  view.setFloat32(116, opts.inter ?? 0, le);
  view.setUint8(123, 2); // mm
  if (opts.sform) {
    view.setInt16(254, 1, le);
    opts.sform.forEach((row, r) => row.forEach((v, c) => view.setFloat32(280 + 16 * r + 4 * c, v, le)));
  }
  buf.write('n+1\0', 344, 'latin1');
  for (let k = 0; k < opts.voxels.length; k++) {
    const o = 352 + k * bytesPer;
    const v = opts.voxels[k];
    switch (type.code) {
      case 2: view.setUint8(o, v); break;
      case 256: view.setInt8(o, v); break;
      case 4: view.setInt16(o, v, le); break;
      case 512: view.setUint16(o, v, le); break;
      case 8: view.setInt32(o, v, le); break;
      case 16: view.setFloat32(o, v, le); break;
      case 64: view.setFloat64(o, v, le); break;
    }
  }
  return buf;
}

