// A decode thread of an import (decode-pool.ts): reads, decodes and preprocesses the images it is
// sent, one at a time, and answers each with the 128x128 result and its near-duplicate descriptor
// (transferred, not copied) or the reason it was skipped. The same functions as on the main
// thread, so the result is the same.
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import { decodeToGray, ImageDecodeError } from '../decode';
import { preprocessSlice } from '../preprocess';
import { sliceDescriptor } from '../dedupe';
import type { DecodeTask, DecodeResult } from './decode-pool';

const port = parentPort!;
// One libvips thread per image: the pool already runs one image per core, and libvips' own
// threads on top of it only competed for the same cores (600 demo JPEGs on 2 threads: 13.5 ->
// 10.4 s wall, 10.4-11.8 -> 9.7-10.1 CPU s). The setting is per process, and this process imports only.
sharp.concurrency(1);

async function decodeOne(task: DecodeTask): Promise<DecodeResult> {
  try {
    const bytes = fs.readFileSync(task.file);
    if (bytes.length > task.maxFileBytes) throw new ImageDecodeError(`the file is ${bytes.length} bytes, more than the ${task.maxFileBytes}-byte limit`, 'too-large');
    const gray = await decodeToGray(bytes, { maxPixels: task.maxPixels });
    const image = await preprocessSlice(gray.data, gray.width, gray.height, task.size);
    return { id: task.id, ok: true, image, descriptor: sliceDescriptor(image, task.size), gray: task.keepGray ? gray : null };
  } catch (err) {
    if (!(err instanceof ImageDecodeError)) return { id: task.id, ok: false, fatal: true, reason: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    return { id: task.id, ok: false, fatal: false, reason: err.message };
  }
}

port.on('message', (task: DecodeTask) => {
  void decodeOne(task).then((result) => {
    const transfer = result.ok ? [result.image.buffer, result.descriptor.buffer, ...(result.gray ? [result.gray.data.buffer] : [])] : [];
    port.postMessage(result, transfer as ArrayBuffer[]);
  });
});
port.postMessage({ ready: true });
