// Whether a process of this machine still runs: what tells a dead command-line process's runs,
// or a dead import's staging folder, from live ones.
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
