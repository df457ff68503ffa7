import { RegistrySku } from '../config/skus';
import { Construct, ContainerRegistry } from '../provider';
import { allowPublicAccess, type Placement, type PublicAccess } from './common';
import type { Monitoring } from './monitoring';

export interface RegistryProps extends Placement {
  readonly name: string;
  /** @default RegistrySku.BASIC */
  readonly sku?: RegistrySku;
  /** Only Premium can turn public access off, so the cheaper SKUs must say why it is on. @default off */
  readonly publicAccess?: PublicAccess;
  readonly monitoring: Monitoring;
}

/** The image registry: pulls and pushes with Entra identities only (no admin user, no anonymous pull). */
export class Registry extends Construct {
  readonly registry: ContainerRegistry;

  constructor(scope: Construct, id: string, props: RegistryProps) {
    super(scope, id);
    const sku = props.sku ?? RegistrySku.BASIC;
    if (!props.publicAccess && !sku.supportsPrivateNetworking)
      throw new Error(
        `a ${sku.name} registry cannot disable public access: use Premium or give publicAccess.reason`,
      );
    this.registry = new ContainerRegistry(this, 'registry', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: sku.name,
      adminEnabled: false,
      anonymousPullEnabled: false,
      publicNetworkAccessEnabled: allowPublicAccess(this, props.publicAccess),
    });
    props.monitoring.diagnostics(this, this.registry.id);
  }
}
