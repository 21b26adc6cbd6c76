// Measuring how promptly the dashboard answers while an import runs (the import bench and its
// test): a folder uploaded from another process, as a browser would, so the client's own work is
// not counted against the server; and a probe whose requests are timed from when each was due
// rather than when it was sent, so a blocked event loop shows as latency even in the same process.
import { spawn } from 'node:child_process';

export interface LatencyStats {
  requests: number;
  failures: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface LatencyProbe {
  stop: () => Promise<LatencyStats>;
}

function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
}

/** Requests `urls` in turn, one every `everyMs` (one at a time), until stopped. A request that
 * fails or answers with an error status counts as a failure (its time still counts). `headers`
 * carry the credentials (a session cookie, or the system credential). */
export function startLatencyProbe(urls: string[], opts: { headers?: Record<string, string>; everyMs?: number } = {}): LatencyProbe {
  const everyMs = opts.everyMs ?? 100;
  const latencies: number[] = [];
  let failures = 0;
  let stopped = false;
  const loop = (async () => {
    let due = performance.now();
    for (let k = 0; !stopped; k++) {
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (stopped) break;
      try {
        const res = await fetch(urls[k % urls.length], { headers: opts.headers });
        await res.arrayBuffer();
        if (!res.ok) failures++;
      } catch {
        failures++;
      }
      const answered = performance.now();
      latencies.push(answered - due);
      due = Math.max(due + everyMs, answered);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      const sorted = [...latencies].sort((a, b) => a - b);
      const round = (ms: number) => Math.round(ms * 10) / 10;
      return { requests: sorted.length, failures, p50Ms: round(quantile(sorted, 0.5)), p95Ms: round(quantile(sorted, 0.95)), maxMs: round(sorted.at(-1) ?? 0) };
    },
  };
}

// Plain ESM for `node -e`: the parts sent as a browser's folder upload does, named by their paths.
// The job comes on stdin, so credentials never appear in a process listing.
const UPLOAD_SCRIPT = `
import fs from 'node:fs';
import path from 'node:path';
let input = '';
for await (const chunk of process.stdin) input += chunk;
const { url, dir, headers } = JSON.parse(input);
const form = new FormData();
for (const rel of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
  if (fs.statSync(path.join(dir, rel)).isFile()) form.append('file', new Blob([fs.readFileSync(path.join(dir, rel))]), rel.split(path.sep).join('/'));
}
const res = await fetch(url, { method: 'POST', body: form, headers });
process.stdout.write(JSON.stringify({ status: res.status, body: await res.json() }));
`;

/** POSTs every file under `dir` to `url` (multipart, one part per file) from a child process,
 * with `headers` (the credentials). */
export function uploadFolder(url: string, dir: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', UPLOAD_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`the upload process exited with code ${code}`))));
    child.stdin.end(JSON.stringify({ url, dir, headers }));
  });
}
