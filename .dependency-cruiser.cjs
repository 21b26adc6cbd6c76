// The import rules of the architecture (README, "Architecture"), checked by `npm test`
// (`npm run lint:imports`) with dependency-cruiser. Imports flow one way:
//   lib/      the ground floor: imports no other folder of the project
//   db/       imports lib/ only
//   workers/  imports lib/ only (never server/, app/ or db/: workers talk to the server over sockets)
//   server/   imports lib/, db/ and the worker code it deliberately runs
//   app/      imports lib/ and the tRPC router's *type* (server/api/root.ts) only
//   nothing imports app/, and no two folders import each other (directly or round a cycle).
// tests/unit/import-rules.test.ts runs these rules on a small tree of forbidden imports.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'lib-is-the-ground-floor',
      comment: 'lib/ holds contracts and pure code every room shares; it imports no other folder of the project.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(app|server|db|workers|tests)/' },
    },
    {
      name: 'db-imports-only-lib',
      comment: 'db/ (schema and queries) stands on lib/ alone.',
      severity: 'error',
      from: { path: '^db/' },
      to: { path: '^(app|server|workers|tests)/' },
    },
    {
      name: 'workers-import-only-lib',
      comment: 'A worker may run on another machine: it shares only lib/ with the server, never server/, app/ or db/.',
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: '^(app|server|db|tests)/' },
    },
    {
      name: 'app-imports-lib-and-the-router-type',
      comment: 'The browser bundle imports lib/ and nothing of server/ but the tRPC router type.',
      severity: 'error',
      from: { path: '^app/' },
      to: { path: '^(server|db|workers)/', pathNot: '^server/api/root\\.ts$' },
    },
    {
      name: 'app-imports-the-router-as-a-type',
      comment: 'The router is imported for its type only (`import type`): its code must not reach the browser.',
      severity: 'error',
      from: { path: '^app/' },
      to: { path: '^server/api/root\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nothing-imports-app',
      comment: 'app/ is the top floor: pages and components, imported by nothing else.',
      severity: 'error',
      from: { pathNot: '^app/' },
      to: { path: '^app/' },
    },
    {
      name: 'no-cycle-between-folders',
      comment: 'Two folders that import each other (directly or round a cycle) are one room in two places.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.next|\\.tmp|data)/|/node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
