import { INGEST_PIPELINE } from '../catalogue/data-factory';
import {
  DATASET_BLOB,
  DATASET_CONTAINER,
  type EnvironmentName,
  IMAGE_REPOSITORY,
  namesFor,
  registryLoginServer,
} from '../infra/config/environments';
import { ACTIONS, checkout, type Job, npmCi, type Step, setupNode, type Workflow } from './workflow';

const IMAGE_TAG = '${{ github.sha }}';
const ON_MAIN = "github.ref == 'refs/heads/main' && github.event_name != 'pull_request'";

const azureLogin: Step = {
  name: 'Azure login (OIDC, no stored credentials)',
  uses: ACTIONS.azureLogin,
  with: {
    'client-id': '${{ secrets.AZURE_CLIENT_ID }}',
    'tenant-id': '${{ secrets.AZURE_TENANT_ID }}',
    'subscription-id': '${{ secrets.AZURE_SUBSCRIPTION_ID }}',
  },
};

const stackDir = (env: EnvironmentName) => `cdktf.out/stacks/anime-${env}`;

/** Synthesizes the stacks and initializes one against the remote state. */
function terraformSetup(env: EnvironmentName): Step[] {
  return [
    checkout,
    setupNode,
    npmCi,
    azureLogin,
    { name: 'Set up Terraform', uses: ACTIONS.setupTerraform, with: { terraform_wrapper: false } },
    { name: 'Synthesize the stacks', run: 'npm run synth' },
    {
      name: `terraform init (anime-${env}, remote state)`,
      run: `terraform -chdir=${stackDir(env)} init -input=false`,
    },
  ];
}

function environmentJobs(env: EnvironmentName, previous: string | undefined): Record<string, Job> {
  const names = namesFor(env);
  const loginServer = registryLoginServer(env);
  const image = `${loginServer}/${IMAGE_REPOSITORY}:${IMAGE_TAG}`;
  const appUrl = `https://${names.webApp}.azurewebsites.net`;
  const environment = { name: env, url: appUrl };
  const plan = `plan-${env}`;
  const apply = `apply-${env}`;
  const publish = `image-${env}`;
  const deploy = `deploy-${env}`;
  const load = `load-${env}`;
  return {
    [plan]: {
      name: `Terraform plan (${env})`,
      'runs-on': 'ubuntu-latest',
      'timeout-minutes': 20,
      ...(previous ? { needs: [previous] } : {}),
      steps: [
        ...terraformSetup(env),
        {
          name: 'terraform plan',
          env: {
            TF_VAR_jwt_secret: '${{ secrets.JWT_SECRET }}',
            TF_VAR_admin_bootstrap_token: '${{ secrets.ADMIN_BOOTSTRAP_TOKEN }}',
          },
          run: `terraform -chdir=${stackDir(env)} plan -input=false -out=tfplan`,
        },
        {
          name: 'Save the plan',
          uses: ACTIONS.uploadArtifact,
          with: { name: `tfplan-${env}`, path: `${stackDir(env)}/tfplan` },
        },
      ],
    },
    [apply]: {
      name: `Terraform apply the saved plan (${env})`,
      'runs-on': 'ubuntu-latest',
      'timeout-minutes': 60,
      needs: [plan],
      if: ON_MAIN,
      environment,
      steps: [
        ...terraformSetup(env),
        {
          name: 'Fetch the saved plan',
          uses: ACTIONS.downloadArtifact,
          with: { name: `tfplan-${env}`, path: stackDir(env) },
        },
        { name: 'terraform apply', run: `terraform -chdir=${stackDir(env)} apply -input=false tfplan` },
      ],
    },
    [publish]: {
      name: `Image ${IMAGE_REPOSITORY}:<sha> in ${loginServer}`,
      'runs-on': 'ubuntu-latest',
      'timeout-minutes': 30,
      needs: [apply],
      if: ON_MAIN,
      steps:
        env === 'dev'
          ? [
              checkout,
              azureLogin,
              { name: 'Log in to ACR (Entra ID)', run: `az acr login --name ${names.containerRegistry}` },
              {
                name: 'Build (tagged with the commit, never latest alone)',
                run: `docker build -t ${image} .`,
              },
              { name: 'Push', run: `docker push ${image}` },
            ]
          : [
              azureLogin,
              {
                name: 'Promote the image dev tested (same digest)',
                run: `az acr import --name ${names.containerRegistry} --source ${registryLoginServer('dev')}/${IMAGE_REPOSITORY}:${IMAGE_TAG} --image ${IMAGE_REPOSITORY}:${IMAGE_TAG} --force`,
              },
            ],
    },
    [deploy]: {
      name: `Deploy to the web app (${env})`,
      'runs-on': 'ubuntu-latest',
      'timeout-minutes': 20,
      needs: [publish],
      if: ON_MAIN,
      environment,
      steps: [
        azureLogin,
        {
          name: 'Point the web app at the new image',
          run: `az webapp config container set --name ${names.webApp} --resource-group ${names.resourceGroup} --container-image-name ${image}`,
        },
        {
          name: 'Smoke test /health and /animes',
          run: [
            'for i in $(seq 1 60); do',
            `  curl -fsS ${appUrl}/health >/dev/null && break`,
            '  sleep 10',
            'done',
            `curl -fsS ${appUrl}/health`,
            `curl -fsS "${appUrl}/animes?limit=1" | python3 -c 'import json,sys; assert "items" in json.load(sys.stdin)'`,
          ].join('\n'),
        },
        {
          name: 'Rollback guidance',
          if: 'failure()',
          run: [
            'echo "The deployed image failed its smoke test. To roll back to the previous image:"',
            `echo "  az webapp config container set --name ${names.webApp} --resource-group ${names.resourceGroup} --container-image-name ${loginServer}/${IMAGE_REPOSITORY}:<previous-sha>"`,
            `echo "Previous tags: az acr repository show-tags --name ${names.containerRegistry} --repository ${IMAGE_REPOSITORY} --orderby time_desc"`,
          ].join('\n'),
        },
      ],
    },
    [load]: {
      name: `Load the dataset (${env})`,
      'runs-on': 'ubuntu-latest',
      'timeout-minutes': 45,
      needs: [deploy],
      if: ON_MAIN,
      steps: [
        checkout,
        setupNode,
        npmCi,
        azureLogin,
        { name: 'Generate the dataset', run: `npm run data:generate -- --out data/${DATASET_BLOB}` },
        {
          name: 'Upload it to the dataset container',
          if: "inputs.loader != 'etl'",
          run: `az storage blob upload --auth-mode login --overwrite --account-name ${names.storageAccount} --container-name ${DATASET_CONTAINER} --name ${DATASET_BLOB} --file data/${DATASET_BLOB}`,
        },
        {
          name: 'Run the Data Factory pipeline and wait for it',
          if: "inputs.loader != 'etl'",
          run: [
            'az extension add --name datafactory --upgrade --only-show-errors',
            `RUN_ID=$(az datafactory pipeline create-run --resource-group ${names.resourceGroup} --factory-name ${names.dataFactory} --name ${INGEST_PIPELINE} --query runId -o tsv)`,
            'for i in $(seq 1 120); do',
            `  STATUS=$(az datafactory pipeline-run show --resource-group ${names.resourceGroup} --factory-name ${names.dataFactory} --run-id "$RUN_ID" --query status -o tsv)`,
            '  echo "pipeline run $RUN_ID: $STATUS"',
            '  case "$STATUS" in Succeeded) exit 0 ;; Failed|Cancelled) exit 1 ;; esac',
            '  sleep 15',
            'done',
            'exit 1',
          ].join('\n'),
        },
        {
          name: 'Or load with the ETL straight into Azure SQL (Entra token from the OIDC login)',
          if: "inputs.loader == 'etl'",
          env: {
            SQL_SERVER: `${names.sqlServer}.database.windows.net`,
            SQL_DATABASE: names.sqlDatabase,
            MSSQL_AUTHENTICATION: 'azure-active-directory-default',
          },
          run: `npm run etl -- --input data/${DATASET_BLOB} --mode upsert`,
        },
      ],
    },
  };
}

/** Push to main: dev, then prod (the prod environment requires approval in the repository settings). */
export const deploy: Workflow = {
  name: 'deploy',
  on: {
    push: { branches: ['main'] },
    pull_request: {},
    workflow_dispatch: {
      inputs: {
        loader: {
          description: 'How to load the dataset',
          type: 'choice',
          options: ['data-factory', 'etl'],
          default: 'data-factory',
        },
      },
    },
  },
  permissions: { 'id-token': 'write', contents: 'read' },
  concurrency: { group: 'deploy-${{ github.ref }}', 'cancel-in-progress': false },
  env: {
    ARM_USE_OIDC: 'true',
    ARM_CLIENT_ID: '${{ secrets.AZURE_CLIENT_ID }}',
    ARM_TENANT_ID: '${{ secrets.AZURE_TENANT_ID }}',
    ARM_SUBSCRIPTION_ID: '${{ secrets.AZURE_SUBSCRIPTION_ID }}',
    TFSTATE_RESOURCE_GROUP: '${{ secrets.TFSTATE_RESOURCE_GROUP }}',
    TFSTATE_STORAGE_ACCOUNT: '${{ secrets.TFSTATE_STORAGE_ACCOUNT }}',
    TFSTATE_CONTAINER: '${{ secrets.TFSTATE_CONTAINER }}',
    CHECKPOINT_DISABLE: '1',
  },
  jobs: { ...environmentJobs('dev', undefined), ...environmentJobs('prod', 'load-dev') },
};
