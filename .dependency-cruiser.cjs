/**
 * The architecture's import rules: `npm run lint:deps`, and test/unit/dependency-rules.test.ts in
 * `npm test`, which also plants a break of each rule to show it is caught. The floors, from the
 * ground up: catalogue/ (the dataset definition); platform/ (core, adapters, observability,
 * configuration); etl/ (the loader, over the core's ports); composition/ (the wiring, and the
 * first-start seed); api/ (the HTTP service and its entry point) and cli/ (the commands).
 * infra/ and pipelines/ (the delivery workflows) sit beside the api, never in it.
 */
const COMPOSITION_ROOTS = '^(composition/|cli/|api/main\\.ts$|api/service\\.ts$|test/)';

module.exports = {
  forbidden: [
    {
      name: 'core-is-inward',
      comment: 'The core knows ports only: no adapters, HTTP or wiring.',
      severity: 'error',
      from: { path: '^platform/core/' },
      to: { path: '^(platform/adapters/|api/|composition/|cli/|etl/)' },
    },
    {
      name: 'http-calls-core',
      comment: 'HTTP calls the core; it never reaches an adapter or the wiring directly.',
      severity: 'error',
      from: { path: '^api/http/' },
      to: { path: '^(platform/adapters/|composition/)' },
    },
    {
      name: 'only-composition-roots-import-adapters',
      severity: 'error',
      from: { path: '^', pathNot: [COMPOSITION_ROOTS, '^platform/adapters/'] },
      to: { path: '^platform/adapters/' },
    },
    {
      name: 'dataset-definition-is-the-ground-floor',
      comment: 'The dataset definition imports nothing of ours.',
      severity: 'error',
      from: { path: '^catalogue/' },
      to: { path: '^(api|platform|composition|cli|etl|infra|pipelines)/' },
    },
    {
      name: 'platform-is-below-its-users',
      comment: 'The platform knows no HTTP, no ETL, no wiring and no command: they are built over it.',
      severity: 'error',
      from: { path: '^platform/' },
      to: { path: '^(api|etl|composition|cli)/' },
    },
    {
      name: 'etl-uses-core-ports',
      comment: 'The ETL loads through the CatalogueLoader port; its command (cli/etl.ts) composes.',
      severity: 'error',
      from: { path: '^etl/' },
      to: { path: '^(platform/adapters/|composition/|cli/|api/)' },
    },
    {
      name: 'api-and-etl-are-apart',
      comment: 'The API reaches the ETL only through composition (the first-start seed).',
      severity: 'error',
      from: { path: '^api/' },
      to: { path: '^etl/' },
    },
    {
      name: 'composition-does-not-import-the-api',
      comment: 'The wiring is below the HTTP service and the commands that use it.',
      severity: 'error',
      from: { path: '^composition/' },
      to: { path: '^(api|cli)/' },
    },
    {
      name: 'infra-and-api-are-apart',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^(api|platform|composition|cli)/' },
    },
    {
      name: 'api-does-not-import-infra',
      severity: 'error',
      from: { path: '^(api|platform|composition|cli)/' },
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
