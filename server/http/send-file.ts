// Streams a stored file as a response: a file that is missing answers 404, one that cannot be read
// 500, each with a short message; an error mid-stream ends the response instead of the process.
import fs from 'node:fs';
import type http from 'node:http';

const missing = (err: NodeJS.ErrnoException) => err.code === 'ENOENT' || err.code === 'EISDIR' || err.code === 'ENOTDIR';

export function sendFile(res: http.ServerResponse, file: string, headers: http.OutgoingHttpHeaders, what = 'file'): void {
  const stream = fs.createReadStream(file);
  // A client that goes away mid-download must not leave the file open.
  res.once('close', () => stream.destroy());
  stream.once('open', () => {
    res.writeHead(200, headers);
    stream.pipe(res);
  });
  stream.once('error', (err: NodeJS.ErrnoException) => {
    if (res.headersSent) return void res.destroy();
    res.writeHead(missing(err) ? 404 : 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: missing(err) ? `the ${what} is missing on the server` : `the ${what} could not be read on the server (${err.code ?? 'error'})` }));
  });
}

/** Reads `length` bytes at `position`; null when the file is missing. Other errors are thrown. */
export function readSlice(file: string, length: number, position: number): Buffer | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if (missing(err as NodeJS.ErrnoException)) return null;
    throw err;
  }
  try {
    const bytes = Buffer.alloc(length);
    fs.readSync(fd, bytes, 0, length, position);
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}

/** A JSON answer (an error or a short result), never cached. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
