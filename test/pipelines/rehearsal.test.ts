import { DELEGABLE_ROLES, onlyTheseRoles } from '../../infra/stacks/bootstrap-stack';
import { conditionAllows, grantsOf } from '../../pipelines/rehearsal/access';
import type { SynthesizedStack } from '../../pipelines/rehearsal/arm';
import { REHEARSAL_REPOSITORY, rehearsalInput } from '../../pipelines/rehearsal/input';
import {
  commandsOf,
  type Finding,
  type RehearsalInput,
  rehearse,
  writersOutside,
} from '../../pipelines/rehearsal/rehearse';
import { BUILT_IN_ROLES, permits, roleNamed } from '../../pipelines/rehearsal/roles';
import type { Job, Step, Workflow } from '../../pipelines/workflow';

/**
 * The offline deploy rehearsal (issue 30): main passes every run, and each first-run blocker the
 * review found comes back, with its job, step, identity, action, scope and nearest role, when the
 * protection against it is taken away.
 */
const input = rehearsalInput();
const messages = (findings: readonly Finding[]) => findings.map((f) => f.message);

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));
function withBootstrap(edit: (json: SynthesizedStack['json']) => void): RehearsalInput {
  const json = clone(input.bootstrap.json);
  edit(json);
  return { ...input, bootstrap: { ...input.bootstrap, json } };
}
/** Removes the bootstrap's role assignments for which `drop` is true. */
const withoutGrants = (
  drop: (r: { role_definition_name: string; scope: string; principal_id: string }) => boolean,
) =>
  withBootstrap((json) => {
    for (const [name, r] of Object.entries(json.resource.azurerm_role_assignment))
      if (drop(r as never)) delete json.resource.azurerm_role_assignment[name];
  });
function withSteps(
  job: string,
  edit: (steps: readonly Step[]) => Step[],
  jobEdit: (j: Job) => Job = (j) => j,
): RehearsalInput {
  const jobs = { ...input.workflow.jobs };
  jobs[job] = jobEdit({ ...jobs[job]!, steps: edit(jobs[job]!.steps) });
  return { ...input, workflow: { ...input.workflow, jobs } as Workflow };
}

describe('the rehearsal on main', () => {
  it.each([
    ['first-run', ''],
    ['second-run', ''],
    ['second-run', 'etl'],
    ['first-run', 'etl'],
    ['pull-request', ''],
  ] as const)(
    '%s (loader %p): every step holds what it needs, while its token is valid',
    (scenario, loader) => {
      const { findings, walk } = rehearse(input, scenario, { loader });
      expect(messages(findings)).toEqual([]);
      expect(walk.length).toBeGreaterThan(5);
    },
  );

  it('walks every job that logs in, in order, and names the grant behind each need', () => {
    const { walk } = rehearse(input, 'first-run');
    expect([...new Set(walk.map((w) => w.job))]).toEqual(['release-dev', 'plan-prod', 'release-prod']);
    const bootstrapStep = walk.find((w) => w.job === 'release-prod' && w.step.startsWith('terraform apply'))!;
    expect(bootstrapStep.identity).toMatch(/^id-anime-prod-deployer-/);
    const assign = bootstrapStep.needs.find((n) =>
      n.need.action.endsWith('userAssignedIdentities/assign/action'),
    )!;
    expect(assign.grant?.role).toBe('Managed Identity Operator');
    expect(walk.find((w) => w.job === 'plan-prod')!.identity).toMatch(/^id-anime-planner-/);
    // The pull-request run replays only the pull-request jobs.
    expect([...new Set(rehearse(input, 'pull-request').walk.map((w) => w.job))]).toEqual([
      'plan-pr-dev',
      'plan-pr-prod',
    ]);
  });

  it("no job outside an environment's own release (on main or any branch) can write to it", () => {
    expect(messages(writersOutside(input, 'prod'))).toEqual([]);
    expect(messages(writersOutside(input, 'dev'))).toEqual([]);
  });

  it('every role any stack assigns is in the vendored table', () => {
    for (const grant of grantsOf([input.bootstrap, ...Object.values(input.platforms)]))
      expect(() => roleNamed(grant.role)).not.toThrow();
  });
});

describe('negative controls: each blocker comes back without its fix', () => {
  const only = (findings: readonly Finding[], re: RegExp) => findings.filter((f) => re.test(f.message));

  it('1. without Reader on the bootstrap identities, pull-request plans cannot read the SQL identity', () => {
    const broken = withoutGrants(
      (r) => r.role_definition_name === 'Reader' && r.scope.includes('sql-identity'),
    );
    const [finding, ...more] = only(rehearse(broken, 'pull-request').findings, /sql-identity/);
    expect(more.length).toBe(1); // dev and prod
    expect(finding).toMatchObject({
      job: 'plan-pr-dev',
      step: 'terraform plan -refresh=false -lock=false',
      identity: expect.stringMatching(/^id-anime-planner-/),
      action: 'Microsoft.ManagedIdentity/userAssignedIdentities/read',
      scope: expect.stringMatching(/\/userAssignedIdentities\/id-anime-dev-sql-/),
      nearest: 'Reader',
    });
  });

  it('2. without Managed Identity Operator, the first apply cannot attach the identity to the SQL server', () => {
    const broken = withoutGrants((r) => r.role_definition_name === 'Managed Identity Operator');
    const findings = rehearse(broken, 'first-run').findings;
    const assign = findings.find((f) => f.action.endsWith('assign/action'))!;
    expect(assign).toMatchObject({
      job: 'release-dev',
      step: expect.stringMatching(/^terraform apply/),
      identity: expect.stringMatching(/^id-anime-dev-deployer-/),
      action: 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action',
      nearest: 'Managed Identity Operator',
    });
    expect(assign.message).toMatch(
      /azurerm_mssql_server\.\w+ references data\.azurerm_user_assigned_identity\.sql-identity/,
    );
  });

  it('3. without the second login, the database bootstrap and the upload find the assertion expired', () => {
    const relogins = (steps: readonly Step[]) => steps.filter((s) => !s.name.startsWith('Azure login again'));
    const broken = withSteps('release-prod', relogins);
    const expired = rehearse(broken, 'first-run').findings.filter((f) => f.job === 'release-prod');
    expect(expired.map((f) => f.step)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Database bootstrap/),
        expect.stringMatching(/^Upload it to the dataset container/),
      ]),
    );
    expect(expired[0]!.message).toMatch(
      /federated assertion of the login at minute [\d.]+ expired at minute [\d.]+ \(AADSTS700024\)/,
    );
    expect(expired[0]!.identity).toMatch(/^id-anime-prod-deployer-/);
  });

  it('4. the import as it was (login server, no --registry, AcrPull only) cannot find the dev registry', () => {
    const broken = withSteps('release-prod', (steps) =>
      steps.map((s) =>
        s.name.startsWith('Promote the image')
          ? {
              ...s,
              // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform or GitHub expression, not a JS template
              run: 'az acr import --name "${OUT_REGISTRY_NAME}" --source "${{ needs.release-dev.outputs.registry_login_server }}/anime-api:${{ github.sha }}" --image "anime-api:${{ github.sha }}" --force',
            }
          : s,
      ),
    );
    const jobs = { ...broken.workflow.jobs };
    jobs['release-dev'] = {
      ...jobs['release-dev']!,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform or GitHub expression, not a JS template
      outputs: { registry_login_server: '${{ steps.outputs.outputs.registry_login_server }}' },
    };
    const asItWas = withBootstrapOf(
      { ...broken, workflow: { ...broken.workflow, jobs } as Workflow },
      (json) => {
        const assignments = Object.values(json.resource.azurerm_role_assignment) as {
          role_definition_name: string;
          scope: string;
          principal_id: string;
        }[];
        const grant = assignments.find(
          (r) => r.scope.includes('dev-group') && r.principal_id.includes('prod-deployer'),
        )!;
        grant.role_definition_name = 'AcrPull';
      },
    );
    const [finding] = rehearse(asItWas, 'first-run').findings;
    expect(finding).toMatchObject({
      job: 'release-prod',
      step: 'Promote the image dev tested (same digest)',
      action: 'Microsoft.ContainerRegistry/registries/read',
      scope: expect.stringMatching(/\/registries\/cranimedev/),
      nearest: 'Reader',
    });
    expect(finding!.message).toContain('found by listing registries (no --registry)');
  });

  it('4b. by resource id, the import still needs Reader on the source (Microsoft Learn)', () => {
    const broken = withoutGrants(
      (r) => r.scope.includes('dev-group') && r.principal_id.includes('prod-deployer'),
    );
    const [finding] = rehearse(broken, 'first-run').findings;
    expect(finding!.message).toMatch(
      /lacks Microsoft\.ContainerRegistry\/registries\/read on .*cranimedev.*by resource id \(--registry\)/,
    );
  });

  it('6. a branch job naming prod-plan reached the prod deployer when it trusted that environment', () => {
    const broken = withBootstrap((json) => {
      const [name, credential] = Object.entries(json.resource.azurerm_federated_identity_credential).find(
        ([, c]) => (c as { parent_id: string }).parent_id.includes('prod-deployer'),
      )!;
      json.resource.azurerm_federated_identity_credential[`${name}-plan`] = {
        ...(credential as object),
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform or GitHub expression, not a JS template
        subject: 'repo:${var.github_repository}:environment:prod-plan',
      };
    });
    const findings = writersOutside(broken, 'prod');
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0]).toMatchObject({
      identity: expect.stringMatching(/^id-anime-prod-deployer-/),
      step: 'environment:prod-plan',
    });
    expect(findings.map((f) => f.action)).toContain('Contributor');
  });

  it('6b. without the branch policy on prod, any branch naming environment: prod reaches the prod deployer', () => {
    const findings = writersOutside({ ...input, protection: { dev: input.protection.dev! } }, 'prod');
    expect(findings.map((f) => f.step)).toEqual(expect.arrayContaining(['environment:prod']));
  });

  it('6c. one state container for both environments let the dev release write prod state', () => {
    const broken = withBootstrap((json) => {
      const grants = json.resource.azurerm_role_assignment as Record<
        string,
        { scope: string; principal_id: string }
      >;
      const devState = Object.values(grants).find(
        (r) => r.scope.includes('dev-state-container') && r.principal_id.includes('dev-deployer'),
      )!;
      grants['dev-deployer-shared-state'] = {
        ...devState,
        scope: devState.scope.replace('dev-state', 'prod-state'),
      };
    });
    const findings = writersOutside(broken, 'prod');
    expect(findings).toEqual([
      expect.objectContaining({
        job: 'a job on refs/heads/main',
        step: 'environment:dev',
        identity: expect.stringMatching(/^id-anime-dev-deployer-/),
        scope: expect.stringMatching(/containers\/tfstate-prod$/),
      }),
    ]);
  });

  it('7. a SQL admin taken from whoever plans shows up as a change in pull-request plans', () => {
    const platform = clone(input.platforms.dev.json);
    const [server] = Object.values(platform.resource.azurerm_mssql_server) as {
      azuread_administrator: { object_id: string };
    }[];
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform or GitHub expression, not a JS template
    server!.azuread_administrator.object_id = '${data.azurerm_client_config.client.object_id}';
    const broken = {
      ...input,
      platforms: { ...input.platforms, dev: { ...input.platforms.dev, json: platform } },
    };
    expect(messages(rehearse(broken, 'pull-request').findings)).toEqual([
      expect.stringMatching(
        /anime-dev: azurerm_mssql_server\.\w+ depends on who plans \(data\.azurerm_client_config\.client\.object_id\)/,
      ),
    ]);
  });

  it("the database bootstrap fails when the job's identity is not the server's Entra admin, or SQL was never opened to it", () => {
    const platform = clone(input.platforms.dev.json);
    const [server] = Object.values(platform.resource.azurerm_mssql_server) as {
      azuread_administrator: { object_id: string };
    }[];
    server!.azuread_administrator.object_id =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform or GitHub expression, not a JS template
      '${data.azurerm_user_assigned_identity.sql-identity.principal_id}';
    const otherAdmin = {
      ...input,
      platforms: { ...input.platforms, dev: { ...input.platforms.dev, json: platform } },
    };
    expect(messages(rehearse(otherAdmin, 'second-run').findings)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /release-dev › Database bootstrap.*id-anime-dev-deployer-\w+ is not the Entra admin of .*sql-anime-dev/,
        ),
      ]),
    );
    const closed = withSteps('release-dev', (steps) =>
      steps.filter((s) => !s.name.startsWith('Let this runner reach SQL')),
    );
    expect(messages(rehearse(closed, 'second-run').findings)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /Database bootstrap.*no earlier step of the job opened .*firewall to the runner/,
        ),
      ]),
    );
  });

  it('a job whose steps can outlast its timeout fails (GitHub would cancel it with SQL and the vault open)', () => {
    const short = withSteps(
      'release-dev',
      (steps) => [...steps],
      (j) => ({ ...j, 'timeout-minutes': 90 }),
    );
    expect(messages(rehearse(short, 'first-run').findings)).toEqual([
      expect.stringMatching(
        /^release-dev › the whole job: its steps take up to \d+ minutes, but timeout-minutes is 90$/,
      ),
    ]);
  });

  it('an az command the table does not know fails, naming where to add it', () => {
    const broken = withSteps('release-dev', (steps) => [
      ...steps,
      { name: 'New step', run: 'az monitor log-analytics workspace show --name x' },
    ]);
    expect(messages(rehearse(broken, 'second-run').findings)).toEqual([
      expect.stringContaining(
        `"az monitor log-analytics workspace show" is not in the rehearsal's az table (pipelines/rehearsal/commands.ts)`,
      ),
    ]);
  });

  it('a job whose subject no credential trusts fails at its login', () => {
    const broken = withSteps(
      'release-dev',
      (s) => [...s],
      (j) => ({ ...j, environment: { name: 'staging' } }),
    );
    expect(messages(rehearse(broken, 'first-run').findings)[0]).toMatch(
      new RegExp(
        `id-anime-dev-deployer-\\w+ has no federated credential for repo:${REHEARSAL_REPOSITORY}:environment:staging`,
      ),
    );
  });
});

function withBootstrapOf(
  base: RehearsalInput,
  edit: (json: SynthesizedStack['json']) => void,
): RehearsalInput {
  const json = clone(base.bootstrap.json);
  edit(json);
  return { ...base, bootstrap: { ...base.bootstrap, json } };
}

describe('the rehearsal model itself', () => {
  it("Azure's wildcards: a `*` segment may be empty; NotActions win; data actions are separate", () => {
    const mio = BUILT_IN_ROLES['Managed Identity Operator']!;
    expect(permits(mio, 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action', false)).toBe(true);
    expect(permits(mio, 'Microsoft.ManagedIdentity/userAssignedIdentities/write', false)).toBe(false);
    const contributor = BUILT_IN_ROLES.Contributor!;
    expect(permits(contributor, 'Microsoft.Sql/servers/write', false)).toBe(true);
    expect(permits(contributor, 'Microsoft.Authorization/roleAssignments/write', false)).toBe(false);
    expect(
      permits(contributor, 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write', true),
    ).toBe(false);
    expect(permits(BUILT_IN_ROLES.Reader!, 'Microsoft.ContainerRegistry/registries/pull/read', false)).toBe(
      true,
    );
  });

  it('the delegation condition admits only the delegable roles, and only for service principals', () => {
    const condition = onlyTheseRoles(Object.values(DELEGABLE_ROLES));
    const write = (roleId: string, principalType?: string) => ({
      action: 'Microsoft.Authorization/roleAssignments/write',
      scope: '/x',
      why: 'test',
      assignment: { roleId, principalType },
    });
    expect(conditionAllows(condition, write(DELEGABLE_ROLES.AcrPull, 'ServicePrincipal'))).toBe(true);
    expect(conditionAllows(condition, write(BUILT_IN_ROLES.Contributor!.id, 'ServicePrincipal'))).toBe(false);
    expect(conditionAllows(condition, write(DELEGABLE_ROLES.AcrPull, 'User'))).toBe(false);
    expect(conditionAllows(condition, write(DELEGABLE_ROLES.AcrPull))).toBe(false);
    expect(conditionAllows(condition, { action: 'Microsoft.Web/sites/write', scope: '/x', why: 't' })).toBe(
      true,
    );
  });

  it('reads loops as their worst case and skips echo lines', () => {
    const commands = commandsOf(
      'X=1\nfor _ in $(seq 1 120); do\n  az datafactory pipeline-run show --x\n  sleep 15\ndone\necho "az acr repository show-tags"',
    );
    expect(commands).toEqual([
      { line: 'X=1', times: 1 },
      { line: 'az datafactory pipeline-run show --x', times: 120 },
      { line: 'sleep 15', times: 120 },
    ]);
  });
});
