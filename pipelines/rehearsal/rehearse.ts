/**
 * The offline deploy rehearsal: replays the rendered deploy workflow job by job, in order, against
 * the synthesized stacks. For every step it asks who is logged in, what the step needs from Azure,
 * at which scope, whether a role assignment grants it, and whether the step's token is still valid
 * given the steps before it. It sees only what the JSON and the workflow say (docs/deployment.md
 * lists what it cannot see).
 */

import type { EnvironmentName } from '../../infra/config/environments';
import { type EnvironmentProtection, oidcSubject } from '../../infra/config/github';
import type { Job, Step, Workflow } from '../workflow';
import { ACTIONS } from '../workflow';
import {
  canWrite,
  type Grant,
  grantFor,
  grantsOf,
  type Identity,
  identitiesOf,
  type Need,
  nearestRole,
} from './access';
import { armId, bodyOf, covers, parseReference, referencesIn, type SynthesizedStack } from './arm';
import { type Audience, entryFor, parseAz } from './commands';
import { createNeeds, dataSourceNeeds, firstApplyMinutes, refreshNeeds, stateNeeds } from './needs';

/** How long tokens live (minutes). */
const TOKEN_LIFETIME = {
  /**
   * The GitHub ID token azure/login hands the CLI as its client assertion: valid 5 minutes
   * (AADSTS700024 names exp = iat + 5 min; Azure/login#180, Azure/azure-cli#28708). The CLI keeps
   * it and presents it again for every new token, so after 5 minutes it can get none.
   */
  assertion: 5,
  /** An Entra access token for a service principal: 60-90 minutes; the lower bound. */
  accessToken: 60,
} as const;

export type Scenario = 'first-run' | 'second-run' | 'pull-request';

export interface RehearsalInput {
  readonly workflow: Workflow;
  readonly bootstrap: SynthesizedStack;
  readonly platforms: Readonly<Record<EnvironmentName, SynthesizedStack>>;
  readonly repository: string;
  readonly protection: Readonly<Record<string, EnvironmentProtection>>;
}

export interface Finding {
  readonly scenario: Scenario | 'branch';
  readonly job: string;
  readonly step: string;
  readonly identity: string;
  readonly action: string;
  readonly scope: string;
  readonly nearest: string;
  readonly message: string;
}

export interface WalkEntry {
  readonly job: string;
  readonly step: string;
  readonly minute: number;
  readonly identity: string;
  readonly needs: readonly { readonly need: Need; readonly grant?: Grant }[];
}

export interface Rehearsal {
  readonly findings: readonly Finding[];
  readonly walk: readonly WalkEntry[];
}

interface Context {
  readonly input: RehearsalInput;
  readonly scenario: Scenario;
  readonly identities: readonly Identity[];
  readonly grants: readonly Grant[];
  readonly event: 'push' | 'pull_request';
  readonly ref: string;
  readonly loader: string;
}

interface JobState {
  readonly id: string;
  readonly job: Job;
  readonly env: EnvironmentName;
  minute: number;
  identity?: Identity;
  cli?: { readonly loginAt: number; readonly tokens: Map<Audience, number> };
  vars: Map<string, string>;
  readonly opened: Set<string>;
}

export const short = (id: string) => id.replace(/^\/subscriptions\/[^/]+/, '');

/** Jobs in the order GitHub runs them (needs first), with those the event's `if` skips left out. */
function jobsInOrder(workflow: Workflow, event: 'push' | 'pull_request', ref: string): [string, Job][] {
  const ordered: [string, Job][] = [];
  const visit = (id: string) => {
    if (ordered.some(([j]) => j === id)) return;
    const job = workflow.jobs[id]!;
    for (const dep of job.needs ?? []) visit(dep);
    ordered.push([id, job]);
  };
  Object.keys(workflow.jobs).forEach(visit);
  return ordered.filter(([, job]) => runsOn(job.if, event, ref));
}

/** The few `if:` forms the workflow uses; another form is refused rather than guessed. */
function runsOn(condition: string | undefined, event: string, ref: string): boolean {
  if (!condition) return true;
  return condition.split('&&').every((atom) => {
    const m = /^\s*github\.(event_name|ref)\s*(==|!=)\s*'([^']+)'\s*$/.exec(atom);
    if (!m) throw new Error(`the rehearsal cannot evaluate the job condition "${atom.trim()}"`);
    const value = m[1] === 'event_name' ? event : ref;
    return m[2] === '==' ? value === m[3] : value !== m[3];
  });
}

function envOfJob(job: Job): EnvironmentName {
  for (const step of job.steps)
    if ('run' in step) {
      const m = /-chdir=cdktf\.out\/stacks\/anime-(\w+)/.exec(step.run);
      if (m) return m[1] as EnvironmentName;
    }
  throw new Error(`${job.name}: no terraform -chdir names its environment`);
}

function stateContainer(stack: SynthesizedStack): string {
  const backend = stack.json.terraform?.backend?.azurerm;
  if (!backend) throw new Error(`${stack.name} has no azurerm backend: synthesize with remote state`);
  return `/subscriptions/${stack.subscription}/resourceGroups/${backend.resource_group_name}/providers/Microsoft.Storage/storageAccounts/${backend.storage_account_name}/blobServices/default/containers/${backend.container_name}`;
}

/** A step's `if:` for a run: `always()`, `failure()` (the rehearsal replays a run that succeeds), the loader input. */
function stepRuns(condition: string | undefined, loader: string): boolean {
  if (!condition || condition === 'always()') return true;
  if (condition === 'failure()') return false;
  const m = /^inputs\.loader (==|!=) '([^']+)'$/.exec(condition);
  if (!m) throw new Error(`the rehearsal cannot evaluate the step condition "${condition}"`);
  return m[1] === '==' ? loader === m[2] : loader !== m[2];
}

export interface RehearsalOptions {
  /** The workflow_dispatch input `loader` (a push has none). @default '' */
  readonly loader?: string;
}

export function rehearse(
  input: RehearsalInput,
  scenario: Scenario,
  options: RehearsalOptions = {},
): Rehearsal {
  const event = scenario === 'pull-request' ? 'pull_request' : 'push';
  const ref = scenario === 'pull-request' ? 'refs/pull/1/merge' : 'refs/heads/main';
  const ctx: Context = {
    input,
    scenario,
    identities: identitiesOf(input.bootstrap, input.repository),
    grants: grantsOf([input.bootstrap, ...Object.values(input.platforms)]),
    event,
    ref,
    loader: options.loader ?? '',
  };
  const findings: Finding[] = [];
  const walk: WalkEntry[] = [];
  for (const [id, job] of jobsInOrder(input.workflow, event, ref))
    if (job.steps.some((s) => 'uses' in s && s.uses === ACTIONS.azureLogin))
      replayJob(ctx, id, job, findings, walk);
  for (const stack of Object.values(input.platforms)) findings.push(...whoPlansMatters(stack, scenario));
  return { findings, walk };
}

function replayJob(ctx: Context, id: string, job: Job, findings: Finding[], walk: WalkEntry[]): void {
  const state: JobState = { id, job, env: envOfJob(job), minute: 0, vars: new Map(), opened: new Set() };
  const stack = ctx.input.platforms[state.env];
  const subject = oidcSubject(ctx.input.repository, { environment: job.environment?.name, event: ctx.event });
  const fail = (
    step: string,
    need: Partial<Need>,
    message: string,
    identity = state.identity?.name ?? '(not logged in)',
  ) =>
    findings.push({
      scenario: ctx.scenario,
      job: id,
      step,
      identity,
      action: need.action ?? '',
      scope: need.scope ? short(need.scope) : '',
      nearest: need.action ? nearestRole(need as Need) : '',
      message: `${id} › ${step}: ${message}`,
    });

  // Terraform logs in by itself (ARM_USE_OIDC + ARM_CLIENT_ID), fetching a fresh GitHub token each time.
  const terraformSecret = /secrets\.([A-Z_]+)/.exec(job.env?.ARM_CLIENT_ID ?? '')?.[1];
  const terraformIdentity = ctx.identities.find((i) => i.clientIdSecret === terraformSecret);
  const oidc = (ctx.input.workflow.env?.ARM_USE_OIDC ?? job.env?.ARM_USE_OIDC) === 'true';

  for (const step of job.steps) {
    if (!stepRuns(step.if, ctx.loader)) continue;
    const start = state.minute;
    const entries: { need: Need; grant?: Grant }[] = [];
    const check = (needs: readonly Need[], principal: Identity | undefined) => {
      for (const need of needs) {
        const grant = principal ? grantFor(ctx.grants, principal.id, need) : undefined;
        entries.push({ need, ...(grant ? { grant } : {}) });
        if (!grant)
          fail(
            step.name,
            need,
            `${principal?.name ?? '(no identity)'} lacks ${need.action} on ${short(need.scope)} (${need.why}); nearest role that grants it: ${nearestRole(need)}`,
            principal?.name,
          );
      }
    };

    if ('uses' in step) {
      if (step.uses === ACTIONS.azureLogin) {
        const secret = /secrets\.([A-Z_]+)/.exec(String(step.with?.['client-id'] ?? ''))?.[1];
        const identity = ctx.identities.find((i) => i.clientIdSecret === secret);
        if (!identity) fail(step.name, {}, `no bootstrap identity's client id is in the secret ${secret}`);
        else if (!identity.subjects.includes(subject))
          fail(
            step.name,
            {},
            `${identity.name} has no federated credential for ${subject} (it trusts ${identity.subjects.join(', ')})`,
            identity.name,
          );
        else if (job.permissions?.['id-token'] !== 'write')
          fail(
            step.name,
            {},
            'the job may not request an ID token (permissions: id-token: write)',
            identity.name,
          );
        else {
          state.identity = identity;
          state.minute += 0.3;
          state.cli = { loginAt: state.minute, tokens: new Map([['arm', state.minute]]) };
        }
      }
      state.minute += USES_MINUTES[step.uses.split('@')[0]!] ?? 0.3;
    } else {
      for (const { line, times } of commandsOf(step.run)) {
        const at = state.minute;
        const note = (need: Need, grant: Grant) => entries.push({ need, grant });
        const minutes = replayCommand(
          ctx,
          state,
          stack,
          line,
          step,
          check,
          note,
          (audience, end) => {
            const problem = cliToken(state, at, end, audience);
            if (problem) fail(step.name, {}, problem);
          },
          { terraformIdentity, oidc, fail },
        );
        state.minute += minutes * times;
      }
    }
    walk.push({
      job: id,
      step: step.name,
      minute: Math.round(start * 10) / 10,
      identity: state.identity?.name ?? terraformIdentity?.name ?? '-',
      needs: entries,
    });
  }
  // A job GitHub cancels at its timeout stops wherever it is, SQL firewall and vault left open.
  if (state.minute > job['timeout-minutes'])
    fail(
      'the whole job',
      {},
      `its steps take up to ${Math.round(state.minute)} minutes, but timeout-minutes is ${job['timeout-minutes']}`,
    );
}

const USES_MINUTES: Readonly<Record<string, number>> = {
  'actions/checkout': 0.3,
  'actions/setup-node': 0.5,
  'hashicorp/setup-terraform': 0.2,
  'azure/login': 0,
  'actions/upload-artifact': 0.2,
};

/**
 * A CLI token for `audience` used from `start` to `end`: the one the login got, or a new one, which
 * needs the login's assertion still valid.
 */
function cliToken(state: JobState, start: number, end: number, audience: Audience): string | undefined {
  if (!state.cli)
    return `needs the Azure CLI logged in (${audience} token), and no azure/login step ran before it`;
  const { loginAt, tokens } = state.cli;
  const fmt = (m: number) => `minute ${Math.round(m * 10) / 10}`;
  const acquired = tokens.get(audience);
  if (acquired !== undefined && end <= acquired + TOKEN_LIFETIME.accessToken) return undefined;
  const reason =
    acquired === undefined
      ? `the CLI needs a new ${audience} token at ${fmt(start)}`
      : `the ${audience} token from ${fmt(acquired)} expires at ${fmt(acquired + TOKEN_LIFETIME.accessToken)}, before the step ends at ${fmt(end)}`;
  if (start > loginAt + TOKEN_LIFETIME.assertion)
    return `${reason}, but the federated assertion of the login at ${fmt(loginAt)} expired at ${fmt(loginAt + TOKEN_LIFETIME.assertion)} (AADSTS700024): log in again just before this step`;
  tokens.set(audience, start);
  return undefined;
}

/** The commands of a run block, with how many times each runs at most (loops bounded by `seq`). */
export function commandsOf(run: string): { line: string; times: number }[] {
  const lines = run.replace(/\\\n\s*/g, ' ').split('\n');
  const out: { line: string; times: number }[] = [];
  let times = 1;
  for (const raw of lines) {
    const line = raw.trim();
    const loop = /^for \w+ in \$\(seq 1 (\d+)\); do$/.exec(line);
    if (loop) times = Number(loop[1]);
    else if (line === 'done') times = 1;
    else if (line && !/^(#|echo |fi$|else$|\{$|\}|if \[|case |esac)/.test(line)) out.push({ line, times });
  }
  return out;
}

type Check = (needs: readonly Need[], principal: Identity | undefined) => void;

function replayCommand(
  ctx: Context,
  state: JobState,
  stack: SynthesizedStack,
  line: string,
  step: Step,
  check: Check,
  note: (need: Need, grant: Grant) => void,
  token: (audience: Audience, end: number) => void,
  terraform: {
    terraformIdentity?: Identity;
    oidc: boolean;
    fail: (step: string, need: Partial<Need>, message: string) => void;
  },
): number {
  const assigned = /^(\w+)=\$\(.*output -raw (\w+)/.exec(line) ?? /^(\w+)="?\$\{OUT_(\w+)\}"?$/.exec(line);
  if (assigned) state.vars.set(assigned[1]!, assigned[2]!.toLowerCase());
  let minutes = 0;
  const tf = /terraform -chdir=\S+ (\w+)(.*)/.exec(line);
  if (tf) {
    const [, sub, rest] = tf;
    const who = terraform.oidc ? terraform.terraformIdentity : state.identity;
    if (!terraform.oidc) token('arm', state.minute + 1);
    if (!who)
      terraform.fail(step.name, {}, 'Terraform has no identity: ARM_CLIENT_ID names no bootstrap identity');
    const container = stateContainer(stack);
    const locks = !rest!.includes('-lock=false');
    if (sub === 'init') {
      check(stateNeeds(container, false, 'terraform init'), who);
      minutes = 0.5;
    } else if (sub === 'plan') {
      const refresh = ctx.scenario !== 'first-run' && !rest!.includes('-refresh=false');
      check(
        [
          ...stateNeeds(container, locks, 'terraform plan'),
          ...dataSourceNeeds(stack),
          ...(refresh ? refreshNeeds(stack) : []),
        ],
        who,
      );
      minutes = refresh ? 3 : 1.5;
    } else if (sub === 'apply') {
      check(
        [
          ...stateNeeds(container, true, 'terraform apply'),
          ...(ctx.scenario === 'first-run' ? createNeeds(stack) : []),
        ],
        who,
      );
      minutes = ctx.scenario === 'first-run' ? firstApplyMinutes(stack) : 1;
    } else if (sub === 'output') {
      check(stateNeeds(container, false, 'terraform output'), who);
      minutes = 0.1;
    } else minutes = 0.1;
    return minutes;
  }
  for (const az of azInvocations(line)) {
    const call = parseAz(az);
    const found = entryFor(call);
    if (!found) {
      terraform.fail(
        step.name,
        { action: call.command },
        `"${call.command}" is not in the rehearsal's az table (pipelines/rehearsal/commands.ts): add what it needs, with its source`,
      );
      continue;
    }
    const [key, entry] = found;
    const resolve = (flag: string) =>
      resolveArgument(ctx, state, String(call.flags[flag] ?? ''), `${key} ${flag}`);
    let needs: Need[] = [];
    try {
      needs = entry.needs(call, resolve);
    } catch (error) {
      terraform.fail(step.name, { action: key }, (error as Error).message);
    }
    check(needs, state.identity);
    if (key === 'az sql server firewall-rule create') state.opened.add(resolve('--server'));
    const took = entry.minutes ?? 0.3;
    token(entry.audience, state.minute + minutes + took);
    minutes += took;
  }
  if (/\bnpm run (db:bootstrap|etl)\b/.test(line)) {
    minutes += sqlAsAdmin(state, stack, step, note, token, terraform.fail);
  } else if (/^docker build /.test(line)) minutes += 5;
  else if (/^docker push /.test(line)) {
    const registry = resolveArgument(ctx, state, '${OUT_REGISTRY_NAME}', 'docker push');
    check(
      [
        {
          action: 'Microsoft.ContainerRegistry/registries/push/write',
          scope: registry,
          why: 'docker push (the token of az acr login)',
        },
      ],
      state.identity,
    );
    minutes += 1;
  } else if (/^npm ci\b/.test(line)) minutes += 2;
  else if (/^npm run synth\b/.test(line)) minutes += 0.5;
  const sleep = /\bsleep (\d+)/.exec(line);
  if (sleep) minutes += Number(sleep[1]) / 60;
  return minutes;
}

/** `az …` invocations on a line: at its start, after `$(`, or after `|| `/`&& `. */
function azInvocations(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(
    /(?:^|\$\(|&&\s|\|\|\s)\s*(az\s.*?)(?=\)\s*(?:$|\|)|\s\|\||\s&&|\s[12]?>|$)/g,
  ))
    out.push(m[1]!.trim());
  return out;
}

/** The ARM id an argument names: a stack output (direct, through a shell variable, or a job output). */
function resolveArgument(ctx: Context, state: JobState, value: string, what: string): string {
  const needsRef = /\$\{\{ needs\.([\w-]+)\.outputs\.(\w+) \}\}/.exec(value);
  if (needsRef) {
    const upstream = ctx.input.workflow.jobs[needsRef[1]!];
    if (!upstream) throw new Error(`${what}: no job ${needsRef[1]}`);
    const through = /steps\.outputs\.outputs\.(\w+)/.exec(upstream.outputs?.[needsRef[2]!] ?? '')?.[1];
    if (!through)
      throw new Error(`${what}: job ${needsRef[1]} has no output ${needsRef[2]} read from the stack outputs`);
    return outputTarget(ctx.input.platforms[envOfJob(upstream)], through, what);
  }
  const out = /\$\{?OUT_(\w+)\}?/.exec(value);
  if (out) return outputTarget(ctx.input.platforms[state.env], out[1]!.toLowerCase(), what);
  const variable = /\$\{?(\w+)\}?/.exec(value);
  if (variable && state.vars.has(variable[1]!))
    return outputTarget(ctx.input.platforms[state.env], state.vars.get(variable[1]!)!, what);
  if (value.startsWith('/subscriptions/')) return value;
  throw new Error(`${what}: the rehearsal cannot tell which resource "${value}" names`);
}

function outputTarget(stack: SynthesizedStack, output: string, what: string): string {
  const value = stack.json.output?.[output]?.value;
  const ref = referencesIn(value)[0];
  if (!ref) throw new Error(`${what}: output ${output} of ${stack.name} names no resource`);
  return armId(stack, ref.address);
}

/** A SQL data-plane step: the identity must be the server's Entra admin, reachable, with a SQL token. */
function sqlAsAdmin(
  state: JobState,
  stack: SynthesizedStack,
  step: Step,
  note: (need: Need, grant: Grant) => void,
  token: (audience: Audience, end: number) => void,
  fail: (step: string, need: Partial<Need>, message: string) => void,
): number {
  const [serverAddress] = Object.keys(stack.json.resource.azurerm_mssql_server ?? {});
  const address = `azurerm_mssql_server.${serverAddress}`;
  const server = armId(stack, address);
  const admin = parseReference(bodyOf(stack, address).azuread_administrator?.object_id);
  const adminIs = admin?.address.startsWith('data.azurerm_client_config')
    ? 'whoever applies'
    : admin
      ? armId(stack, admin.address)
      : undefined;
  const need = {
    action: 'SQL: connect as the Entra admin',
    scope: server,
    why: 'db:bootstrap and the ETL administer the database',
  };
  if (adminIs !== 'whoever applies' && adminIs !== state.identity?.id)
    fail(
      step.name,
      need,
      `${state.identity?.name} is not the Entra admin of ${short(server)} (the admin is ${adminIs ? short(adminIs) : 'unset'})`,
    );
  else
    note(need, {
      principal: state.identity?.id ?? '',
      role: 'the Entra admin (azuread_administrator)',
      scope: server,
      stack: stack.name,
    });
  if (!state.opened.has(server))
    fail(step.name, need, `no earlier step of the job opened ${short(server)}'s firewall to the runner`);
  token('sql', state.minute + 1.5);
  return 1.5;
}

/** Values that depend on who plans (a pull request's planner sees a change) or change at every plan. */
function whoPlansMatters(stack: SynthesizedStack, scenario: Scenario): Finding[] {
  const findings: Finding[] = [];
  for (const [type, named] of Object.entries(stack.json.resource ?? {}))
    for (const [name, body] of Object.entries(named as object)) {
      const text = JSON.stringify(body);
      const caller = /data\.azurerm_client_config\.\w+\.(object_id|client_id)/.exec(text);
      const volatile = /\$\{[^}]*\b(timestamp|uuid|bcrypt)\(/.exec(text);
      for (const [hit, why] of [
        [caller, `depends on who plans (${caller?.[0]}): a pull request's planner would see it change`],
        [volatile, `changes at every plan (${volatile?.[1]}())`],
      ] as const)
        if (hit)
          findings.push({
            scenario,
            job: stack.name,
            step: 'plan',
            identity: '-',
            action: `${type}.${name}`,
            scope: '',
            nearest: '',
            message: `${stack.name}: ${type}.${name} ${why}`,
          });
    }
  return findings;
}

/**
 * Who outside an environment's own release can change it. Every subject a job can present (on
 * main or on any other branch: its pull request, its ref, every environment whose branch policy
 * lets that branch in), except the environment's own release on main, is matched against the
 * identities that trust it, and their grants that can write within the environment's resource
 * group, its state container or its bootstrap identities are findings.
 */
export function writersOutside(
  input: RehearsalInput,
  target: EnvironmentName,
  branches = ['refs/heads/main', 'refs/heads/feature'],
): Finding[] {
  const identities = identitiesOf(input.bootstrap, input.repository);
  const grants = grantsOf([input.bootstrap, ...Object.values(input.platforms)]);
  const platform = input.platforms[target];
  const scopes = [
    armId(platform, 'data.azurerm_resource_group.group'),
    stateContainer(platform),
    ...identities.filter((i) => i.name.includes(`-${target}-`)).map((i) => i.id),
  ];
  const environments = new Set([
    ...identities.flatMap((i) =>
      i.subjects.map((s) => /:environment:(.+)$/.exec(s)?.[1]).filter((e): e is string => Boolean(e)),
    ),
    ...Object.values(input.workflow.jobs)
      .map((j) => j.environment?.name)
      .filter((e): e is string => Boolean(e)),
  ]);
  const own = oidcSubject(input.repository, { environment: target, event: 'push' });
  const findings: Finding[] = [];
  for (const branch of branches) {
    const reachable = [
      ...(branch === 'refs/heads/main' ? [] : [oidcSubject(input.repository, { event: 'pull_request' })]),
      `repo:${input.repository}:ref:${branch}`,
      ...[...environments]
        .filter((env) => {
          const policy = input.protection[env];
          return !policy || policy.branches.some((b) => `refs/heads/${b}` === branch);
        })
        .map((environment) => oidcSubject(input.repository, { environment, event: 'push' })),
    ].filter((subject) => !(branch === 'refs/heads/main' && subject === own));
    for (const subject of reachable)
      for (const identity of identities.filter((i) => i.subjects.includes(subject)))
        for (const grant of grants.filter((g) => g.principal === identity.id && canWrite(g.role)))
          for (const scope of scopes)
            if (covers(grant.scope, scope) || covers(scope, grant.scope))
              findings.push({
                scenario: 'branch',
                job: `a job on ${branch}`,
                step: subject.split(':').slice(2).join(':'),
                identity: identity.name,
                action: grant.role,
                scope: short(grant.scope),
                nearest: '',
                message: `a job on ${branch} presenting ${subject} logs in as ${identity.name}, which holds ${grant.role} on ${short(grant.scope)}: it can change ${target} outside ${target}'s own release`,
              });
  }
  return findings;
}
