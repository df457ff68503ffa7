import { checkout, npmCi, setupNode, setupTerraform, type Workflow } from './workflow';

/** A throwaway SQL Server for the contract suite; the password only ever exists inside this run. */
const MSSQL_PASSWORD = 'Ci-${{ github.run_id }}-${{ github.run_attempt }}-aA1!';

/** Pull requests and main: lint, typecheck, every test (SQL Server included), infra, the container. */
export const ci: Workflow = {
  name: 'ci',
  on: { pull_request: {}, push: { branches: ['main'] } },
  permissions: { contents: 'read' },
  concurrency: { group: 'ci-${{ github.ref }}', 'cancel-in-progress': true },
  jobs: {
    test: {
      name: 'Lint, typecheck and test (SQLite, Redis, Firebase emulator, SQL Server 2022)',
      'runs-on': 'ubuntu-latest',
      'timeout-minutes': 30,
      services: {
        mssql: {
          image: 'mcr.microsoft.com/mssql/server:2022-latest',
          env: { ACCEPT_EULA: 'Y', MSSQL_SA_PASSWORD: MSSQL_PASSWORD },
          ports: ['1433:1433'],
        },
      },
      env: {
        CI: 'true',
        // Ubuntu's chromium package is a snap stub; the runner ships Google Chrome.
        CHROMIUM_PATH: '/usr/bin/google-chrome',
        MSSQL_CONNECTION_STRING: `Server=localhost,1433;Database=anime;User Id=sa;Password=${MSSQL_PASSWORD}`,
      },
      steps: [
        checkout,
        setupNode,
        {
          name: 'Install the real components the tests start',
          run: 'sudo apt-get update && sudo apt-get install -y redis-server sqlite3 shellcheck',
        },
        npmCi,
        {
          name: 'Create the test database',
          env: { MSSQL_SA_PASSWORD: MSSQL_PASSWORD },
          run: [
            'for _ in $(seq 1 60); do',
            '  docker exec "${{ job.services.mssql.id }}" /opt/mssql-tools18/bin/sqlcmd -C -S localhost -U sa -P "$MSSQL_SA_PASSWORD" -Q "SELECT 1" >/dev/null 2>&1 && break',
            '  sleep 2',
            'done',
            'docker exec "${{ job.services.mssql.id }}" /opt/mssql-tools18/bin/sqlcmd -C -S localhost -U sa -P "$MSSQL_SA_PASSWORD" -Q "CREATE DATABASE anime"',
          ].join('\n'),
        },
        { name: 'Lint, typecheck and test', run: 'npm test' },
      ],
    },
    infra: {
      name: 'Synthesize and validate the infrastructure',
      'runs-on': 'ubuntu-latest',
      'timeout-minutes': 15,
      steps: [
        checkout,
        setupNode,
        npmCi,
        setupTerraform,
        { name: 'terraform init and validate on every stack', run: 'npm run validate:infra' },
      ],
    },
    container: {
      name: 'Build and run the container image',
      'runs-on': 'ubuntu-latest',
      'timeout-minutes': 20,
      steps: [
        checkout,
        {
          name: 'Install podman and runc',
          run: 'sudo apt-get update && sudo apt-get install -y podman runc debootstrap',
        },
        { name: 'Container smoke test', run: 'sudo bash test/container/smoke.sh' },
      ],
    },
  },
};
