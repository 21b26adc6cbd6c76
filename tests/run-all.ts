// `npm test`: type check, import rules, unit tests, integration tests (real server + worker processes), then
// the Playwright suite in Debian's Chromium. Runs every stage, prints one summary line with the
// test counts, and exits non-zero if anything failed.
import { spawnSync } from 'node:child_process';

interface Stage {
  name: string;
  command: string[];
  /** Reads the passed / failed counts from the stage's output. */
  count: (output: string) => { passed: number; failed: number };
}

const nodeTestCounts = (out: string) => ({
  passed: Number(/^# pass (\d+)/m.exec(out)?.[1] ?? 0),
  failed: Number(/^# fail (\d+)/m.exec(out)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(out)?.[1] ?? 0),
});
// Playwright's summary lines ("  21 passed (1.4m)", "  1 failed"), each on a line of its own: the
// server and worker logs in the same output can hold "…-e3263 failed: …".
const playwrightCounts = (out: string) => ({
  passed: Number(/^\s*(\d+) passed\b/m.exec(out)?.[1] ?? 0),
  failed: Number(/^\s*(\d+) failed\b/m.exec(out)?.[1] ?? 0) + Number(/^\s*(\d+) flaky\b/m.exec(out)?.[1] ?? 0),
});

const stages: Stage[] = [
  { name: 'typecheck', command: ['npx', 'tsc', '--noEmit'], count: (out) => ({ passed: 0, failed: /error TS/.test(out) ? 1 : 0 }) },
  // The import rules of the architecture (.dependency-cruiser.cjs): a forbidden import or a cycle
  // between folders fails the run.
  { name: 'imports', command: ['npm', 'run', '--silent', 'lint:imports'], count: (out) => ({ passed: 0, failed: Number(/x (\d+) dependency violations/.exec(out)?.[1] ?? 0) }) },
  { name: 'unit', command: ['npm', 'run', '--silent', 'test:unit'], count: nodeTestCounts },
  { name: 'integration', command: ['npm', 'run', '--silent', 'test:integration'], count: nodeTestCounts },
  { name: 'e2e', command: ['npx', 'playwright', 'test'], count: playwrightCounts },
];

let passed = 0;
let failed = 0;
const summary: string[] = [];
for (const stage of stages) {
  const started = Date.now();
  console.log(`\n=== ${stage.name}: ${stage.command.join(' ')}`);
  const result = spawnSync(stage.command[0], stage.command.slice(1), { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  process.stdout.write(output);
  const counts = stage.count(output);
  // A stage that exits non-zero has failed even if no count could be read from it.
  if (result.status !== 0 && counts.failed === 0) counts.failed = 1;
  passed += counts.passed;
  failed += counts.failed;
  summary.push(`${stage.name.padEnd(12)} ${result.status === 0 ? 'ok    ' : 'FAILED'} ${counts.passed} passed, ${counts.failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
console.log(`\n=== summary\n${summary.join('\n')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
