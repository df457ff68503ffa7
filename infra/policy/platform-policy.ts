import { type IAspect, type IConstruct, TerraformResource } from '../provider';
import { type PolicyRule, type ResourceView, RULES } from './rules';

export interface Suppression {
  readonly id: string;
  /** Why the exposure is acceptable here; reviewed like code. */
  readonly reason: string;
}

const SUPPRESSIONS = new WeakMap<IConstruct, Suppression[]>();

/** Exempts a construct and everything under it from one rule, for a stated reason. */
export function suppress(scope: IConstruct, suppression: Suppression): void {
  if (!RULES.some((r) => r.id === suppression.id)) throw new Error(`unknown policy rule ${suppression.id}`);
  if (suppression.reason.trim().length < 20)
    throw new Error(`suppressing ${suppression.id} on ${scope.node.path} needs a real reason`);
  SUPPRESSIONS.set(scope, [...(SUPPRESSIONS.get(scope) ?? []), suppression]);
}

function suppressed(node: IConstruct, id: string): boolean {
  return node.node.scopes.some((scope) => SUPPRESSIONS.get(scope)?.some((s) => s.id === id));
}

export class PolicyViolationError extends Error {
  constructor(
    readonly ruleId: string,
    readonly path: string,
    detail: string,
  ) {
    super(`policy ${ruleId} violated by ${path}: ${detail}`);
  }
}

function viewOf(resource: TerraformResource): ResourceView {
  const synthesized = resource.toTerraform() as {
    resource: Record<string, Record<string, Record<string, unknown>>>;
  };
  const config = Object.values(synthesized.resource[resource.terraformResourceType] ?? {})[0] ?? {};
  return { type: resource.terraformResourceType, config, taggable: 'tagsInput' in resource };
}

/**
 * cdk-nag for this platform: visits every resource at synth and fails on the first violation
 * that no suppression covers.
 */
export class PlatformPolicy implements IAspect {
  constructor(private readonly rules: readonly PolicyRule[] = RULES) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource)) return;
    const view = viewOf(node);
    for (const rule of this.rules) {
      const violation = rule.check(view);
      if (violation && !suppressed(node, rule.id))
        throw new PolicyViolationError(rule.id, node.node.path, violation);
    }
  }
}

/** Puts the required tags on every taggable resource (resource-level tags win). */
export class RequiredTags implements IAspect {
  constructor(private readonly tags: Record<string, string>) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource) || !('tagsInput' in node)) return;
    const taggable = node as TerraformResource & {
      tagsInput?: Record<string, string>;
      tags: Record<string, string>;
    };
    taggable.tags = { ...this.tags, ...(taggable.tagsInput ?? {}) };
  }
}
