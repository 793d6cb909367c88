/**
 * Import rules of src/ and import/, checked in CI by `npm run depcheck` (.ci/run, "== dependency rules").
 * Type-only imports count: a cycle through types is still a cycle for whoever reads or moves the code.
 * bench/, test/ and migrations/ are not checked (tests may start the server or build the schema).
 * Each broken rule prints the offending import as "rule: from → to".
 * The same check one level up, no loop between the folders of src/, is scripts/folder-layers.js (run by depcheck after this).
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'An import cycle. Break it by moving what both sides need into a file of its own (a filter, a query builder, a type). ' +
        'Excepted: cycles made only of *.entity.ts files, which TypeORM relations between entities need.',
      from: { path: '^(src|import)/' },
      to: { circular: true, via: { pathNot: '\\.entity\\.ts$' } },
    },
    {
      name: 'kernel-imports-nothing-of-the-project',
      severity: 'error',
      comment: 'src/kernel/ is the framework-free core shared by the API and the import pipeline: it imports nothing else of the project.',
      from: { path: '^src/kernel/' },
      to: { path: '^(src|import|bench|test|migrations)/|^ormconfig\\.ts$', pathNot: '^src/kernel/' },
    },
    {
      name: 'import-pipeline-imports-only-the-kernel',
      severity: 'error',
      comment:
        'import/ (read, parse, resolve, report) runs without the server and the database: of the rest of the project it imports only src/kernel/. ' +
        'What needs the database belongs to src/import-batch/.',
      from: { path: '^import/' },
      to: { path: '^(src|bench|test|migrations)/|^ormconfig\\.ts$', pathNot: '^src/kernel/' },
    },
    {
      name: 'domains-do-not-import-entry-points',
      severity: 'error',
      comment:
        'Only the entry points (src/server/, src/web/, src/cli/) import the entry points: a domain, src/db/ or a plumbing folder that needs ' +
        'something of theirs (a context type, an HTTP error, a route wrapper) takes it from src/request/ or src/sql/, which import no domain. ' +
        'Otherwise src/server/ and the domains it puts together import each other, a loop between folders.',
      from: { path: '^src/', pathNot: '^src/(server|web|cli)/' },
      to: { path: '^src/(server|web|cli)/' },
    },
    {
      name: 'plumbing-imports-no-domain',
      severity: 'error',
      comment:
        'src/request/ (what answering a request needs: the context type, identity, HTTP errors and routes, uploads, answers) and src/sql/ ' +
        '(what entities and queries share of the database) are below the domains: of the project they import only each other, src/kernel/ and src/config.ts. ' +
        'A domain registers what they need to know of it instead (its loaders in the context\'s Loaders interface; a RequestRefusal subclass for route()).',
      from: { path: '^src/(request|sql)/' },
      to: { path: '^(src|import|bench|test|migrations)/|^ormconfig\\.ts$', pathNot: '^src/(request|sql|kernel)/|^src/config\\.ts$' },
    },
    {
      name: 'no-resolver-imports',
      severity: 'error',
      comment:
        'A *.resolver.ts is imported only by the schema builder (src/server/schema.ts, its resolver list). ' +
        'Put what others need (a filter, a query builder, a GraphQL type, a rule) in a file beside it.',
      from: { pathNot: '^src/server/schema\\.ts$' },
      to: { path: '\\.resolver\\.ts$' },
    },
    {
      name: 'no-server-app-imports',
      severity: 'error',
      comment: 'src/server/app.ts (the HTTP server) is imported only by the entry point that serves it (src/cli/main.ts); tests and benches are not checked.',
      from: { pathNot: '^src/cli/main\\.ts$' },
      to: { path: '^src/server/app\\.ts$' },
    },
    {
      name: 'no-schema-builder-imports',
      severity: 'error',
      comment: 'src/server/schema.ts builds the schema once per process: only the server (app.ts) and the CLI\'s schema command import it; others are given the schema.',
      from: { pathNot: '^src/(server/app|cli/main)\\.ts$' },
      to: { path: '^src/server/schema\\.ts$' },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|bench|test|migrations)/' },
  },
};
