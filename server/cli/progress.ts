// A one-line progress bar on stderr for the command-line tools (plain lines when not a TTY).
export function progressBar(label: string, done: number, total: number): void {
  const width = 30;
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const bar = `${label.padEnd(10)} [${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${done}/${total}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${bar}${done >= total ? '\n' : ''}`);
  else if (done === total || done % Math.max(1, Math.round(total / 10)) === 0) process.stderr.write(`${bar}\n`);
}
