/**
 * Who may do what, where: the identities the bootstrap creates, the subjects each trusts, every role
 * assignment of every stack, and the check of one needed action against them.
 */
import { addresses, armId, bodyOf, covers, parseReference, type SynthesizedStack } from './arm';
import { BUILT_IN_ROLES, permits, roleNamed, roleNameOf } from './roles';

export interface Identity {
  readonly id: string;
  readonly name: string;
  /** Federated subjects it trusts, with the repository filled in. */
  readonly subjects: readonly string[];
  /** The bootstrap output (= repository secret) that holds its client id, if any. */
  readonly clientIdSecret?: string;
}

export interface Grant {
  /** The identity's ARM id, or the principal expression when it is not a bootstrap identity. */
  readonly principal: string;
  readonly role: string;
  readonly scope: string;
  readonly condition?: string;
  readonly principalType?: string;
  readonly stack: string;
}

/** An action a step needs, at a scope; role assignments also carry what they ask for. */
export interface Need {
  readonly action: string;
  readonly dataAction?: boolean;
  readonly scope: string;
  /** What needs it (a resource address, an `az` command, the state backend). */
  readonly why: string;
  /** For Microsoft.Authorization/roleAssignments/write|delete: the role and principal type asked for. */
  readonly assignment?: { readonly roleId: string; readonly principalType?: string };
}

function principalOf(stack: SynthesizedStack, expression: string): string {
  const ref = parseReference(expression);
  if (ref && ref.attribute === 'principal_id' && ref.address.includes('azurerm_user_assigned_identity'))
    return armId(stack, ref.address);
  return expression;
}

export function identitiesOf(bootstrap: SynthesizedStack, repository: string): Identity[] {
  const credentials = addresses(bootstrap, 'resource')
    .filter((a) => a.startsWith('azurerm_federated_identity_credential.'))
    .map((a) => bodyOf(bootstrap, a));
  const secrets = Object.entries(bootstrap.json.output ?? {}) as [string, { value: string }][];
  return addresses(bootstrap, 'resource')
    .filter((a) => a.startsWith('azurerm_user_assigned_identity.'))
    .map((address) => {
      const id = armId(bootstrap, address);
      const secret = secrets.find(([, o]) => parseReference(o.value)?.address === address)?.[0];
      return {
        id,
        name: bodyOf(bootstrap, address).name,
        subjects: credentials
          .filter((c) => parseReference(c.parent_id)?.address === address)
          .map((c) => String(c.subject).replace('${var.github_repository}', repository)),
        ...(secret ? { clientIdSecret: secret } : {}),
      };
    });
}

export function grantsOf(stacks: readonly SynthesizedStack[]): Grant[] {
  return stacks.flatMap((stack) =>
    addresses(stack, 'resource')
      .filter((a) => a.startsWith('azurerm_role_assignment.'))
      .map((address) => {
        const r = bodyOf(stack, address);
        const role = r.role_definition_name ?? roleNameOf(String(r.role_definition_id).split('/').pop()!);
        return {
          principal: principalOf(stack, r.principal_id),
          role,
          scope: resolveScope(stack, r.scope),
          ...(r.condition ? { condition: r.condition } : {}),
          ...(r.principal_type ? { principalType: r.principal_type } : {}),
          stack: stack.name,
        };
      }),
  );
}

function resolveScope(stack: SynthesizedStack, scope: string): string {
  const ref = parseReference(scope);
  return ref?.attribute === 'id' ? armId(stack, ref.address) : scope;
}

/** Top-level `A AND B AND …` clauses of an ABAC condition. */
function clauses(condition: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < condition.length; i++) {
    const c = condition[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && condition.startsWith(' AND ', i)) {
      out.push(condition.slice(start, i));
      start = i + 5;
    }
  }
  out.push(condition.slice(start));
  return out.map((c) => c.trim());
}

/**
 * Evaluates the constrained-delegation conditions this project writes (Microsoft Learn, "Delegate
 * Azure role assignment management to others with conditions"): each clause names the action it
 * restricts, then the role ids and principal types it allows. Another shape is refused loudly.
 */
export function conditionAllows(condition: string, need: Need): boolean {
  for (const clause of clauses(condition)) {
    const restricted = /ActionMatches\{'([^']+)'\}/.exec(clause)?.[1];
    if (!restricted) throw new Error(`unsupported condition clause: ${clause}`);
    if (restricted.toLowerCase() !== need.action.toLowerCase()) continue;
    if (!need.assignment) return false;
    const roleSets = [...clause.matchAll(/RoleDefinitionId\] ForAnyOfAnyValues:GuidEquals \{([^}]*)\}/g)];
    for (const set of roleSets)
      if (
        !set[1]!
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .includes(need.assignment.roleId.toLowerCase())
      )
        return false;
    const typeSets = [
      ...clause.matchAll(/PrincipalType\] ForAnyOfAnyValues:StringEqualsIgnoreCase \{([^}]*)\}/g),
    ];
    for (const set of typeSets) {
      const allowed = set[1]!.split(',').map((s) => s.trim().replace(/'/g, '').toLowerCase());
      if (!need.assignment.principalType || !allowed.includes(need.assignment.principalType.toLowerCase()))
        return false;
    }
  }
  return true;
}

/** The grant that lets `principal` do `need`, if any. */
export function grantFor(grants: readonly Grant[], principal: string, need: Need): Grant | undefined {
  // The narrowest scope first, and a delegation role only for role assignments: the report names
  // the grant a reader would expect to be the reason.
  const delegates = /^Microsoft\.Authorization\/roleAssignments\//i.test(need.action);
  const rank = (g: Grant) =>
    -g.scope.length * 10 + (g.role === 'Role Based Access Control Administrator' && !delegates ? 5 : 0);
  return [...grants]
    .sort((a, b) => rank(a) - rank(b))
    .find(
      (g) =>
        g.principal === principal &&
        covers(g.scope, need.scope) &&
        permits(roleNamed(g.role), need.action, need.dataAction ?? false) &&
        (!g.condition || conditionAllows(g.condition, need)),
    );
}

/** The smallest vendored role that would grant the action: what a failure suggests. */
export function nearestRole(need: Need): string {
  const candidates = Object.entries(BUILT_IN_ROLES)
    .filter(([, role]) => permits(role, need.action, need.dataAction ?? false))
    .sort(
      ([, a], [, b]) =>
        a.actions.length + (a.dataActions?.length ?? 0) - (b.actions.length + (b.dataActions?.length ?? 0)),
    );
  const narrow = candidates.find(([name]) => name !== 'Contributor') ?? candidates[0];
  return narrow ? narrow[0] : 'no vendored role (add one to pipelines/rehearsal/roles.ts)';
}

/** Actions that change nothing a deployment depends on, so holding them is not "write". */
const BENIGN = [
  /\/read$/i,
  /^Microsoft\.Support\//i,
  /^Microsoft\.Resources\/deployments\//i,
  /generateUserDelegationKey\/action$/i,
  /^Microsoft\.Insights\/Register\/Action$/i,
  /^Microsoft\.Insights\/alertRules\//i,
];

/** Whether a role can change anything (an action or data action beyond reading). */
export function canWrite(role: string): boolean {
  const def = roleNamed(role);
  return [...def.actions, ...(def.dataActions ?? [])].some(
    (a) => !BENIGN.some((b) => b.test(a)) && !/\/(getSecret|readMetadata)\/action$/i.test(a),
  );
}
