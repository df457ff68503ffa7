import { bootstrapNames, ENVIRONMENTS, type EnvironmentName } from '../../infra/config/environments';
import { ENVIRONMENT_PROTECTION } from '../../infra/config/github';
import { Testing } from '../../infra/provider';
import { BootstrapStack } from '../../infra/stacks/bootstrap-stack';
import { PlatformStack, type PlatformStackProps } from '../../infra/stacks/platform-stack';
import { deploy } from '../deploy';
import type { SynthesizedStack } from './arm';
import type { RehearsalInput } from './rehearse';

/** A subscription and repository for offline rehearsals; names derive from them as they would in Azure. */
const REHEARSAL_SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
export const REHEARSAL_REPOSITORY = 'octo/anime-platform';

/** The stacks as the deploy workflow synthesizes them: remote state, the repository's own names. */
export function rehearsalInput(
  overrides: {
    readonly platform?: Partial<PlatformStackProps>;
    readonly workflow?: RehearsalInput['workflow'];
  } = {},
): RehearsalInput {
  const subscription = REHEARSAL_SUBSCRIPTION;
  const shared = bootstrapNames(subscription);
  const synth = (
    build: (app: ReturnType<typeof Testing.app>) => Parameters<typeof Testing.synth>[0],
    name: string,
  ): SynthesizedStack => ({
    name,
    subscription,
    json: JSON.parse(Testing.synth(build(Testing.app()))),
  });
  const platform = (env: EnvironmentName): SynthesizedStack =>
    synth(
      (app) =>
        new PlatformStack(app, `anime-${env}`, {
          environment: ENVIRONMENTS[env],
          subscriptionId: subscription,
          backend: {
            resourceGroupName: shared.resourceGroup,
            storageAccountName: shared.stateAccount,
            containerName: shared.stateContainer(env),
          },
          ...overrides.platform,
        }),
      `anime-${env}`,
    );
  return {
    workflow: overrides.workflow ?? deploy,
    bootstrap: synth(
      (app) => new BootstrapStack(app, 'bootstrap', { subscriptionId: subscription }),
      'bootstrap',
    ),
    platforms: { dev: platform('dev'), prod: platform('prod') },
    repository: REHEARSAL_REPOSITORY,
    protection: ENVIRONMENT_PROTECTION,
  };
}
