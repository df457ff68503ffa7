import { INGEST_PIPELINE } from '../catalogue/data-factory';
import {
  DATASET_BLOB,
  DATASET_CONTAINER,
  ENVIRONMENTS,
  type EnvironmentName,
  IMAGE_REPOSITORY,
} from '../infra/config/environments';
import { CLIENT_ID_SECRETS, ENVIRONMENT_PROTECTION, GITHUB_ENVIRONMENTS } from '../infra/config/github';
import { OUTPUTS } from '../infra/stacks/platform-stack';
import {
  ACTIONS,
  checkout,
  type Job,
  npmCi,
  type Step,
  setupNode,
  setupTerraform,
  type Workflow,
} from './workflow';

const SHA = '${{ github.sha }}';
const ON_MAIN = "github.ref == 'refs/heads/main' && github.event_name != 'pull_request'";
const stackDir = (env: EnvironmentName) => `cdktf.out/stacks/anime-${env}`;
const tf = (env: EnvironmentName, args: string) => `terraform -chdir=${stackDir(env)} ${args}`;

/** Jobs that log in get an id token and read the code, nothing else. */
const OIDC_PERMISSIONS = { 'id-token': 'write', contents: 'read' } as const;

/** After `Read the stack outputs`, `$OUT_<NAME>` holds each stack output; `out` is its quoted reference. */
const outVar = (name: (typeof OUTPUTS)[keyof typeof OUTPUTS]) => `\${OUT_${name.toUpperCase()}}`;
const out = (name: (typeof OUTPUTS)[keyof typeof OUTPUTS]) => `"${outVar(name)}"`;

const azureLogin = (clientIdSecret: string, why?: string): Step => ({
  name: why ? `Azure login again: ${why}` : 'Azure login (OIDC, no stored credentials)',
  uses: ACTIONS.azureLogin,
  with: {
    'client-id': `\${{ secrets.${clientIdSecret} }}`,
    'tenant-id': '${{ secrets.AZURE_TENANT_ID }}',
    'subscription-id': '${{ secrets.AZURE_SUBSCRIPTION_ID }}',
  },
});

/** Synthesizes the stacks and initializes one against the remote state, checking the provider lock file. */
function terraformSetup(env: EnvironmentName, clientIdSecret: string, init = ''): Step[] {
  return [
    checkout,
    setupNode,
    npmCi,
    azureLogin(clientIdSecret),
    setupTerraform,
    { name: 'Synthesize the stacks', run: 'npm run synth' },
    {
      name: `terraform init (anime-${env}, remote state, locked providers)`,
      run: [
        'if [ -f infra/.terraform.lock.hcl ]; then',
        `  cp infra/.terraform.lock.hcl ${stackDir(env)}/.terraform.lock.hcl`,
        `  ${tf(env, `init -input=false -lockfile=readonly ${init}`.trim())}`,
        'else',
        '  echo "::warning::infra/.terraform.lock.hcl is not committed: provider checksums are not pinned. Commit the lock file this job uploads."',
        `  ${tf(env, `init -input=false ${init}`.trim())}`,
        'fi',
      ].join('\n'),
    },
  ];
}

/**
 * The CLI keeps azure/login's GitHub ID token as its client assertion, and that token lives 5
 * minutes: after a long step the CLI can get no token for a new resource (AADSTS700024,
 * Azure/azure-cli#28708). Terraform is unaffected (ARM_USE_OIDC fetches a fresh GitHub token each
 * time). So a job logs in again right before each step that needs a new CLI token after a long
 * one; the deploy rehearsal checks every such step against the login before it.
 */
const loginAgain = (clientIdSecret: string, why: string): Step => azureLogin(clientIdSecret, why);

/** The runner's address, so the vault (closed by default) and SQL let this job in while it runs. */
const runnerAddress: Step = {
  name: "Find this runner's public address",
  run: [
    'RUNNER_IP=$(curl -fsS https://api.ipify.org)',
    'echo "RUNNER_IP=$RUNNER_IP" >> "$GITHUB_ENV"',
    'echo "TF_VAR_deployer_ip_ranges=[\\"$RUNNER_IP/32\\"]" >> "$GITHUB_ENV"',
  ].join('\n'),
};

function openVault(env: EnvironmentName): Step {
  return {
    name: 'Open the vault to this runner (it exists after the first apply)',
    run: [
      `VAULT=$(${tf(env, `output -raw ${OUTPUTS.keyVaultName}`)} 2>/dev/null || true)`,
      'if [ -n "$VAULT" ]; then',
      '  az keyvault network-rule add --name "$VAULT" --ip-address "$RUNNER_IP/32" --only-show-errors >/dev/null',
      '  # Firewall changes take a few seconds to reach the data plane.',
      '  sleep 20',
      'fi',
    ].join('\n'),
  };
}

function closeAccess(env: EnvironmentName): Step {
  return {
    name: 'Close the vault and SQL to this runner again',
    if: 'always()',
    run: [
      `VAULT=$(${tf(env, `output -raw ${OUTPUTS.keyVaultName}`)} 2>/dev/null || true)`,
      `GROUP=$(${tf(env, `output -raw ${OUTPUTS.resourceGroupName}`)} 2>/dev/null || true)`,
      `SQL=$(${tf(env, `output -raw ${OUTPUTS.sqlServerName}`)} 2>/dev/null || true)`,
      'if [ -n "$VAULT" ] && [ -n "${RUNNER_IP:-}" ]; then',
      '  az keyvault network-rule remove --name "$VAULT" --ip-address "$RUNNER_IP/32" --only-show-errors >/dev/null || true',
      'fi',
      'if [ -n "$SQL" ]; then',
      '  az sql server firewall-rule delete --resource-group "$GROUP" --server "$SQL" --name "runner-$GITHUB_RUN_ID" --only-show-errors || true',
      'fi',
    ].join('\n'),
  };
}

const secretInputs = {
  TF_VAR_jwt_secret: '${{ secrets.JWT_SECRET }}',
  TF_VAR_admin_bootstrap_token: '${{ secrets.ADMIN_BOOTSTRAP_TOKEN }}',
};

/**
 * Which resources change, how, and to what (sensitive values masked, so the digest carries no
 * secret): the reviewer's plan and the applied one must agree on all of it.
 */
export const PLAN_DIGEST = [
  'jq -c \'def masked($s): if $s == true then "(sensitive)"',
  'elif type == "object" and ($s | type) == "object" then with_entries(.key as $k | .value |= masked($s[$k]))',
  'elif type == "array" and ($s | type) == "array" then . as $a | [range(length) as $i | $a[$i] | masked($s[$i])]',
  'else . end;',
  '[.resource_changes[]? | select(.change.actions != ["no-op"]) | .change as $c',
  "| {address, actions: $c.actions, after: ($c.after | masked($c.after_sensitive)), unknown: $c.after_unknown}] | sort_by(.address)'",
  "| sha256sum | cut -d' ' -f1",
].join(' ');

/** Secrets stay out of plans that write nothing: the ephemeral inputs get throwaway values there. */
const placeholderSecrets = {
  TF_VAR_jwt_secret: 'read-only-plan-placeholder-not-a-secret',
  TF_VAR_admin_bootstrap_token: 'read-only-plan-placeholder-not-a-secret',
};

function plan(env: EnvironmentName, readOnly = false): Step[] {
  return [
    readOnly
      ? {
          name: 'terraform plan -refresh=false -lock=false (read-only identity; the release refreshes and compares)',
          env: placeholderSecrets,
          run: tf(env, 'plan -input=false -refresh=false -lock=false -out=tfplan'),
        }
      : {
          name: 'terraform plan (secrets are ephemeral inputs: in no plan file, no state)',
          env: secretInputs,
          run: tf(env, 'plan -input=false -out=tfplan'),
        },
    {
      name: 'Summarize the plan',
      id: 'plan',
      run: [
        `DIGEST=$(${tf(env, 'show -json tfplan')} | ${PLAN_DIGEST})`,
        'echo "digest=$DIGEST" >> "$GITHUB_OUTPUT"',
        '{',
        `  echo "### anime-${env}: planned changes (digest $DIGEST)"`,
        "  echo '```'",
        `  ${tf(env, 'show -no-color tfplan')} | tail -n 400`,
        "  echo '```'",
        '} >> "$GITHUB_STEP_SUMMARY"',
      ].join('\n'),
    },
  ];
}

const readOutputs = (env: EnvironmentName): Step => ({
  name: 'Read the stack outputs (every name the later steps use)',
  id: 'outputs',
  run: [
    `${tf(env, 'output -json')} > outputs.json`,
    `jq -r 'to_entries[] | "OUT_\\(.key | ascii_upcase)=\\(.value.value)"' outputs.json >> "$GITHUB_ENV"`,
    `jq -r 'to_entries[] | "\\(.key)=\\(.value.value)"' outputs.json >> "$GITHUB_OUTPUT"`,
  ].join('\n'),
});

function databaseBootstrap(env: EnvironmentName): Step[] {
  return [
    loginAgain(CLIENT_ID_SECRETS.deployer(env), 'the apply took longer than the first login lasts'),
    {
      name: 'Let this runner reach SQL for the database bootstrap',
      run: `az sql server firewall-rule create --resource-group ${out(OUTPUTS.resourceGroupName)} --server ${out(OUTPUTS.sqlServerName)} --name "runner-$GITHUB_RUN_ID" --start-ip-address "$RUNNER_IP" --end-ip-address "$RUNNER_IP" --only-show-errors >/dev/null`,
    },
    {
      name: 'Database bootstrap: migrate under the lock, create the app and Data Factory users (least privilege)',
      env: {
        MSSQL_AUTHENTICATION: 'azure-active-directory-default',
        INGEST_PROFILE: ENVIRONMENTS[env].ingestProfile,
      },
      run: [
        `SQL_SERVER=${out(OUTPUTS.sqlServerHost)} SQL_DATABASE=${out(OUTPUTS.sqlDatabaseName)} npm run db:bootstrap -- \\`,
        `  --app ${out(OUTPUTS.appPrincipalName)} --app-object-id ${out(OUTPUTS.appPrincipalId)} \\`,
        `  --ingest ${out(OUTPUTS.ingestPrincipalName)} --ingest-object-id ${out(OUTPUTS.ingestPrincipalId)}`,
      ].join('\n'),
    },
  ];
}

function publishImage(env: EnvironmentName): Step[] {
  const image = `"${outVar(OUTPUTS.registryLoginServer)}/${IMAGE_REPOSITORY}:${SHA}"`;
  if (env === 'dev')
    return [
      { name: 'Log in to the registry (Entra ID)', run: `az acr login --name ${out(OUTPUTS.registryName)}` },
      {
        name: 'Build the image (tagged with the commit, never latest) and push it',
        run: [
          `IMAGE=${image}`,
          `docker build --build-arg "BUILD_SHA=${SHA}" -t "$IMAGE" .`,
          'docker push "$IMAGE"',
        ].join('\n'),
      },
    ];
  return [
    {
      // By resource id: found without listing registries (which Reader on dev's group allows, but a
      // registry without public access needs it), and never an anonymous pull.
      name: 'Promote the image dev tested (same digest)',
      run: `az acr import --name ${out(OUTPUTS.registryName)} --resource-group ${out(OUTPUTS.resourceGroupName)} --registry "\${{ needs.release-dev.outputs.${OUTPUTS.registryId} }}" --source "${IMAGE_REPOSITORY}:${SHA}" --image "${IMAGE_REPOSITORY}:${SHA}" --force --only-show-errors`,
    },
  ];
}

function deployAndSmokeTest(): Step[] {
  const url = outVar(OUTPUTS.webAppUrl);
  return [
    {
      name: 'Point the web app at the new image',
      run: `az webapp config container set --name ${out(OUTPUTS.webAppName)} --resource-group ${out(OUTPUTS.resourceGroupName)} --container-image-name "${outVar(OUTPUTS.registryLoginServer)}/${IMAGE_REPOSITORY}:${SHA}" --only-show-errors >/dev/null`,
    },
    {
      name: 'Wait until /health reports this commit (not the previous container), then smoke test',
      run: [
        'for _ in $(seq 1 60); do',
        `  BUILD=$(curl -fsS "${url}/health" | jq -r '.build // empty' || true)`,
        `  [ "$BUILD" = "${SHA}" ] && break`,
        '  echo "serving build ${BUILD:-none}, waiting for the new one"',
        '  sleep 10',
        'done',
        `[ "$BUILD" = "${SHA}" ] || { echo "::error::the app never reported build ${SHA}"; exit 1; }`,
        `curl -fsS "${url}/animes?limit=1" | jq -e '.items | type == "array"' >/dev/null`,
      ].join('\n'),
    },
    {
      name: 'Rollback guidance',
      if: 'failure()',
      run: [
        'echo "The new image failed its checks. To go back to the previous one:"',
        `echo "  az acr repository show-tags --name ${outVar(OUTPUTS.registryName)} --repository ${IMAGE_REPOSITORY} --orderby time_desc"`,
        `echo "  az webapp config container set --name ${outVar(OUTPUTS.webAppName)} --resource-group ${outVar(OUTPUTS.resourceGroupName)} --container-image-name ${outVar(OUTPUTS.registryLoginServer)}/${IMAGE_REPOSITORY}:<previous-sha>"`,
      ].join('\n'),
    },
  ];
}

function loadDataset(env: EnvironmentName): Step[] {
  return [
    { name: 'Generate the dataset', run: `npm run data:generate -- --out data/${DATASET_BLOB}` },
    loginAgain(CLIENT_ID_SECRETS.deployer(env), 'waiting for the new container outlasted the last login'),
    {
      name: 'Upload it to the dataset container',
      if: "inputs.loader != 'etl'",
      run: `az storage blob upload --auth-mode login --overwrite --account-name ${out(OUTPUTS.storageAccountName)} --container-name ${DATASET_CONTAINER} --name ${DATASET_BLOB} --file data/${DATASET_BLOB} --only-show-errors`,
    },
    {
      name: 'Run the Data Factory pipeline and wait for it',
      if: "inputs.loader != 'etl'",
      run: [
        'az extension add --name datafactory --upgrade --only-show-errors',
        `FACTORY=${out(OUTPUTS.dataFactoryName)}`,
        `GROUP=${out(OUTPUTS.resourceGroupName)}`,
        `RUN_ID=$(az datafactory pipeline create-run --resource-group "$GROUP" --factory-name "$FACTORY" --name ${INGEST_PIPELINE} --query runId -o tsv)`,
        'for _ in $(seq 1 120); do',
        '  STATUS=$(az datafactory pipeline-run show --resource-group "$GROUP" --factory-name "$FACTORY" --run-id "$RUN_ID" --query status -o tsv)',
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
      env: { MSSQL_AUTHENTICATION: 'azure-active-directory-default' },
      run: `SQL_SERVER=${out(OUTPUTS.sqlServerHost)} SQL_DATABASE=${out(OUTPUTS.sqlDatabaseName)} npm run etl -- --input data/${DATASET_BLOB} --mode upsert`,
    },
  ];
}

/** Pull requests: a read-only identity plans without refreshing or locking (it may read state, never write). */
function pullRequestPlan(env: EnvironmentName): Job {
  return {
    name: `Plan (${env}, pull request, read-only identity)`,
    'runs-on': 'ubuntu-latest',
    'timeout-minutes': 20,
    if: "github.event_name == 'pull_request'",
    permissions: OIDC_PERMISSIONS,
    env: { ARM_CLIENT_ID: `\${{ secrets.${CLIENT_ID_SECRETS.planner} }}` },
    steps: [
      ...terraformSetup(env, CLIENT_ID_SECRETS.planner),
      {
        name: 'terraform plan -refresh=false -lock=false',
        env: placeholderSecrets,
        run: tf(env, 'plan -input=false -refresh=false -lock=false'),
      },
    ],
  };
}

/**
 * The plan a prod reviewer reads before approving the release, made by the read-only planner: the
 * `<env>-plan` environment has no branch policy, so whatever identity trusts it must hold nothing
 * a branch could abuse. It neither refreshes nor locks; the release refreshes under the lock and
 * refuses to apply if its plan's digest differs.
 */
function reviewPlan(env: EnvironmentName, after: string): Job {
  return {
    name: `Plan for review (${env}, read-only identity)`,
    'runs-on': 'ubuntu-latest',
    'timeout-minutes': 20,
    needs: [after],
    if: ON_MAIN,
    environment: { name: GITHUB_ENVIRONMENTS.plan(env) },
    permissions: OIDC_PERMISSIONS,
    concurrency: { group: `plan-${env}`, 'cancel-in-progress': false },
    env: { ARM_CLIENT_ID: `\${{ secrets.${CLIENT_ID_SECRETS.planner} }}` },
    outputs: { digest: '${{ steps.plan.outputs.digest }}' },
    steps: [...terraformSetup(env, CLIENT_ID_SECRETS.planner), ...plan(env, true)],
  };
}

/**
 * Before any release: the release environments are protected as ENVIRONMENT_PROTECTION says (the
 * bootstrap sets it). Without a branch policy, any writer's branch naming `environment: prod` would
 * obtain the prod deployer's token.
 */
function verifyEnvironments(): Job {
  const repo = 'repos/${{ github.repository }}/environments';
  const checks = Object.entries(ENVIRONMENT_PROTECTION).flatMap(([name, protection]) => [
    `POLICY=$(gh api "${repo}/${name}" --jq '.deployment_branch_policy.custom_branch_policies // false')`,
    `[ "$POLICY" = "true" ] || { echo "::error::environment ${name} must allow only chosen branches (run npm run bootstrap, or Settings → Environments)"; exit 1; }`,
    `BRANCHES=$(gh api "${repo}/${name}/deployment-branch-policies" --jq '[.branch_policies[].name] | sort | join(",")')`,
    `[ "$BRANCHES" = "${[...protection.branches].sort().join(',')}" ] || { echo "::error::environment ${name} deploys from '$BRANCHES', expected '${protection.branches.join(',')}'"; exit 1; }`,
    ...(protection.requiredReviewers
      ? [
          `REVIEWERS=$(gh api "${repo}/${name}" --jq '[.protection_rules[]? | select(.type == "required_reviewers")] | length')`,
          `[ "$REVIEWERS" -gt 0 ] || { echo "::error::environment ${name} must have required reviewers"; exit 1; }`,
        ]
      : []),
  ]);
  return {
    name: 'Verify the release environments are protected',
    'runs-on': 'ubuntu-latest',
    'timeout-minutes': 5,
    if: ON_MAIN,
    permissions: { actions: 'read' },
    steps: [
      {
        name: 'Branch policies and reviewers, as the bootstrap set them',
        env: { GH_TOKEN: '${{ github.token }}' },
        run: checks.join('\n'),
      },
    ],
  };
}

/** Apply, database bootstrap, image, deploy, smoke test and load, in one job: one approval, one identity. */
function release(env: EnvironmentName, needs: readonly string[], reviewed?: string): Job {
  return {
    name: `Release ${env}: apply, database bootstrap, image, deploy, load`,
    'runs-on': 'ubuntu-latest',
    // The first run's worst case is about 100 minutes (a 35-minute apply, the 10-minute health wait and
    // the 36-minute Data Factory wait); the rehearsal holds every job's steps to its timeout.
    'timeout-minutes': 150,
    ...(needs.length ? { needs } : {}),
    if: ON_MAIN,
    environment: {
      name: GITHUB_ENVIRONMENTS.release(env),
      url: `\${{ steps.outputs.outputs.${OUTPUTS.webAppUrl} }}`,
    },
    permissions: OIDC_PERMISSIONS,
    // Per environment: a dev release never waits behind a prod approval.
    concurrency: { group: `release-${env}`, 'cancel-in-progress': false },
    env: { ARM_CLIENT_ID: `\${{ secrets.${CLIENT_ID_SECRETS.deployer(env)} }}` },
    outputs: {
      [OUTPUTS.registryId]: `\${{ steps.outputs.outputs.${OUTPUTS.registryId} }}`,
    },
    steps: [
      ...terraformSetup(env, CLIENT_ID_SECRETS.deployer(env)),
      {
        name: 'Keep the provider lock file this run used (commit it once)',
        uses: ACTIONS.uploadArtifact,
        with: {
          name: `terraform-lock-${env}`,
          path: `${stackDir(env)}/.terraform.lock.hcl`,
          'if-no-files-found': 'ignore',
        },
      },
      runnerAddress,
      openVault(env),
      ...plan(env),
      ...(reviewed
        ? [
            {
              name: 'Refuse a plan that differs from the reviewed one',
              run: [
                `if [ "\${{ steps.plan.outputs.digest }}" != "\${{ needs.${reviewed}.outputs.digest }}" ]; then`,
                '  echo "::error::the planned changes differ from the plan that was reviewed; re-run the workflow"',
                '  exit 1',
                'fi',
              ].join('\n'),
            } satisfies Step,
          ]
        : []),
      {
        name: 'terraform apply (the plan just made; ephemeral inputs are given again)',
        env: secretInputs,
        run: tf(env, 'apply -input=false tfplan'),
      },
      readOutputs(env),
      ...databaseBootstrap(env),
      ...publishImage(env),
      ...deployAndSmokeTest(),
      ...loadDataset(env),
      closeAccess(env),
    ],
  };
}

/**
 * Pull requests: read-only plans. Push to main: release dev, plan prod for review, release prod
 * after approval (give the `prod` environment required reviewers). No plan file ever leaves its job.
 */
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
  permissions: {},
  env: {
    ARM_USE_OIDC: 'true',
    ARM_TENANT_ID: '${{ secrets.AZURE_TENANT_ID }}',
    ARM_SUBSCRIPTION_ID: '${{ secrets.AZURE_SUBSCRIPTION_ID }}',
    TFSTATE_RESOURCE_GROUP: '${{ secrets.TFSTATE_RESOURCE_GROUP }}',
    TFSTATE_STORAGE_ACCOUNT: '${{ secrets.TFSTATE_STORAGE_ACCOUNT }}',
    // Synth fails instead of planning against an empty local state when the secret is missing.
    TFSTATE_REQUIRED: 'true',
    CHECKPOINT_DISABLE: '1',
  },
  jobs: {
    'plan-pr-dev': pullRequestPlan('dev'),
    'plan-pr-prod': pullRequestPlan('prod'),
    'verify-environments': verifyEnvironments(),
    'release-dev': release('dev', ['verify-environments']),
    'plan-prod': reviewPlan('prod', 'release-dev'),
    'release-prod': release('prod', ['verify-environments', 'release-dev', 'plan-prod'], 'plan-prod'),
  },
};
