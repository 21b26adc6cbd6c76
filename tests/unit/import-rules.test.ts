// The import rules of .dependency-cruiser.cjs, run on a throwaway tree that makes every forbidden
// import once and every allowed one once: each forbidden import is reported under its rule, nothing else is.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as IConfiguration;

interface Edge { from: string; to: string; typeOnly?: boolean }

// Every imported file imports nothing and sits in a folder of its own, so the folder graph has no
// cycle but the one made on purpose below (a folder cycle needs a way back out of the imported folder).
const ROUTER = 'server/api/root.ts';
const TARGETS = ['lib/contracts.ts', 'db/queries/runs.ts', 'workers/engine/kernel.ts', 'server/realtime/hub.ts', ROUTER, 'app/components/chart.ts'];

const FORBIDDEN: Array<Edge & { rules: string[] }> = [
  { from: 'lib/imports-server.ts', to: 'server/realtime/hub.ts', rules: ['lib-is-the-ground-floor'] },
  { from: 'db/imports-workers.ts', to: 'workers/engine/kernel.ts', rules: ['db-imports-only-lib'] },
  { from: 'workers/imports-server.ts', to: 'server/realtime/hub.ts', rules: ['workers-import-only-lib'] },
  { from: 'workers/imports-db.ts', to: 'db/queries/runs.ts', rules: ['workers-import-only-lib'] },
  { from: 'workers/imports-app.ts', to: 'app/components/chart.ts', rules: ['nothing-imports-app', 'workers-import-only-lib'] },
  { from: 'app/imports-db.ts', to: 'db/queries/runs.ts', rules: ['app-imports-lib-and-the-router-type'] },
  { from: 'app/imports-workers.ts', to: 'workers/engine/kernel.ts', rules: ['app-imports-lib-and-the-router-type'] },
  { from: 'app/imports-server.ts', to: 'server/realtime/hub.ts', rules: ['app-imports-lib-and-the-router-type'] },
  { from: 'app/imports-router-value.ts', to: ROUTER, rules: ['app-imports-the-router-as-a-type'] },
  { from: 'server/imports-app.ts', to: 'app/components/chart.ts', rules: ['nothing-imports-app'] },
];

const ALLOWED: Edge[] = [
  { from: 'server/runs.ts', to: 'lib/contracts.ts' },
  { from: 'server/runs.ts', to: 'db/queries/runs.ts' },
  { from: 'server/runs.ts', to: 'workers/engine/kernel.ts' },
  { from: 'db/schema.ts', to: 'lib/contracts.ts' },
  { from: 'workers/train.ts', to: 'lib/contracts.ts' },
  { from: 'app/page.ts', to: 'lib/contracts.ts' },
  { from: 'app/page.ts', to: ROUTER, typeOnly: true },
];

// Two folders of workers/ importing each other: allowed file by file, forbidden as a cycle of folders.
const CYCLE: Edge[] = [
  { from: 'workers/a/ping.ts', to: 'workers/b/pong.ts' },
  { from: 'workers/b/pong.ts', to: 'workers/a/ping.ts' },
];

function specifier(from: string, to: string): string {
  const relative = path.posix.relative(path.posix.dirname(from), to).replace(/\.ts$/, '');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

/** The source of each file: its imports, each used, and a value of its own for others to import. */
function sources(edges: Edge[]): Map<string, string> {
  const files = new Map<string, string[]>(TARGETS.map((file) => [file, []]));
  for (const { from, to, typeOnly } of edges) {
    const lines = files.get(from) ?? [];
    const name = `dep${lines.length}`;
    lines.push(typeOnly
      ? `import type { AppRouter as ${name} } from '${specifier(from, to)}';\nexport type Uses${name} = ${name};`
      : `import { marker as ${name} } from '${specifier(from, to)}';\nexport const uses${name} = ${name};`);
    files.set(from, lines);
  }
  return new Map([...files].map(([file, lines]) => {
    const own = file === ROUTER ? `export const marker = {};\nexport type AppRouter = typeof marker;` : `export const marker = '${file}';`;
    return [file, [...lines, own, ''].join('\n')];
  }));
}

const root = await mkdtemp(path.join(tmpdir(), 'import-rules-'));
after(() => rm(root, { recursive: true, force: true }));

for (const [file, text] of sources([...FORBIDDEN, ...ALLOWED, ...CYCLE])) {
  await mkdir(path.join(root, path.dirname(file)), { recursive: true });
  await writeFile(path.join(root, file), text);
}
const tsConfigFile = path.join(root, 'tsconfig.json');
await writeFile(tsConfigFile, JSON.stringify({ compilerOptions: { strict: true, module: 'esnext', moduleResolution: 'bundler', noEmit: true } }));

// As `depcruise --config .dependency-cruiser.cjs` does: the config's options, its rules to validate with.
const { options, ...ruleSet } = config;
const cruised = await cruise(
  ['lib', 'db', 'workers', 'server', 'app'],
  { ...options, baseDir: root, tsConfig: { fileName: tsConfigFile }, ruleSet, validate: true },
  {},
  { tsConfig: extractTSConfig(tsConfigFile) },
);
const result = cruised.output as ICruiseResult;
const violations = result.summary.violations;

function rulesReported(from: string, to: string): string[] {
  return violations.filter((v) => v.from === from && v.to === to).map((v) => v.rule.name).sort();
}

function dependency(from: string, to: string) {
  return result.modules.find((m) => m.source === from)?.dependencies.find((d) => d.resolved === to);
}

for (const edge of FORBIDDEN) {
  test(`${edge.from} -> ${edge.to} is reported as ${edge.rules.join(' and ')}`, () => {
    assert.deepEqual(rulesReported(edge.from, edge.to), edge.rules);
  });
}

test('a cycle between two folders (workers/a <-> workers/b) is reported', () => {
  const cycles = violations.filter((v) => v.rule.name === 'no-cycle-between-folders');
  assert.ok(cycles.length > 0, 'no folder cycle reported');
  for (const v of cycles) {
    assert.deepEqual([v.from, v.to].sort(), ['workers/a', 'workers/b'], `unexpected folder cycle ${v.from} -> ${v.to}`);
  }
  for (const { from, to } of CYCLE) assert.deepEqual(rulesReported(from, to), [], 'the files themselves break no rule');
});

test('the allowed imports are seen and not reported', () => {
  for (const { from, to, typeOnly } of ALLOWED) {
    const seen = dependency(from, to);
    assert.ok(seen, `${from} -> ${to} was not resolved, so the check proves nothing`);
    assert.equal(seen.dependencyTypes.includes('type-only'), Boolean(typeOnly), `${from} -> ${to}: type-only`);
    assert.deepEqual(rulesReported(from, to), [], `${from} -> ${to} must be allowed`);
  }
});

test('nothing else is reported', () => {
  const expected = [
    ...FORBIDDEN.flatMap(({ from, to, rules }) => rules.map((rule) => `${rule}: ${from} -> ${to}`)),
    ...violations.filter((v) => v.rule.name === 'no-cycle-between-folders').map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`),
  ].sort();
  assert.deepEqual(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort(), expected);
  assert.equal(result.summary.error, expected.length);
});
