/**
 * The architecture's import rules: `npm run lint:deps`, and test/unit/dependency-rules.test.ts in
 * `npm test`, which also plants a break of each rule to show it is caught. The floors, from the
 * ground up: catalogue/ (the dataset definition), api/core, api/http and api/adapters, the
 * composition roots; infra/ and pipelines/ (the delivery workflows) sit beside the api, never in it.
 */
const COMPOSITION_ROOTS = '^(api/composition/|api/main\\.ts$|api/admin-grant\\.ts$|api/migration-new\\.ts$|api/db-bootstrap\\.ts$|etl/run\\.ts$|test/)';

module.exports = {
  forbidden: [
    {
      name: 'core-is-inward',
      comment: 'The core knows ports only: no adapters, HTTP or wiring.',
      severity: 'error',
      from: { path: '^api/core/' },
      to: { path: '^api/(adapters|http|composition)/' },
    },
    {
      name: 'http-calls-core',
      comment: 'HTTP calls the core; it never reaches an adapter directly.',
      severity: 'error',
      from: { path: '^api/http/' },
      to: { path: '^api/(adapters|composition)/' },
    },
    {
      name: 'only-composition-roots-import-adapters',
      severity: 'error',
      from: { path: '^', pathNot: [COMPOSITION_ROOTS, '^api/adapters/'] },
      to: { path: '^api/adapters/' },
    },
    {
      name: 'dataset-definition-is-the-ground-floor',
      comment: 'The dataset definition imports nothing of ours.',
      severity: 'error',
      from: { path: '^catalogue/' },
      to: { path: '^(api|etl|infra|pipelines)/' },
    },
    {
      name: 'etl-uses-core-ports',
      comment: 'The ETL library loads through the CatalogueLoader port; only its CLI (run.ts) composes.',
      severity: 'error',
      from: { path: '^etl/', pathNot: '^etl/run\\.ts$' },
      to: { path: '^api/(adapters|composition|http)/' },
    },
    {
      name: 'api-library-does-not-import-etl',
      comment: 'Below the roots, the api never reaches up into the ETL (main.ts may: it seeds).',
      severity: 'error',
      from: { path: '^api/(core|http|adapters|composition|observability)/' },
      to: { path: '^etl/' },
    },
    {
      name: 'infra-and-api-are-apart',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^api/' },
    },
    {
      name: 'api-does-not-import-infra',
      severity: 'error',
      from: { path: '^api/' },
      to: { path: '^(infra|pipelines)/' },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|cdktf\\.out)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
