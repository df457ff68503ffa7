import { Construct, RoleAssignment, StorageAccount, StorageContainer } from '../provider';
import { allowPublicAccess, type Placement, type PublicAccess, ROLES } from './common';
import type { Monitoring } from './monitoring';

export interface DatasetStorageProps extends Placement {
  readonly accountName: string;
  readonly containerName: string;
  /** @default 'LRS' */
  readonly replication?: 'LRS' | 'ZRS' | 'GRS';
  /** A principal that uploads datasets with Entra ID (the deploy pipeline). @default none */
  readonly uploaderObjectId?: string;
  /** @default off */
  readonly publicAccess?: PublicAccess;
  readonly monitoring: Monitoring;
}

/** Where the raw CSV lands: HTTPS and TLS 1.2 only, Entra ID only (no shared keys), no public blobs. */
export class DatasetStorage extends Construct {
  readonly account: StorageAccount;
  readonly container: StorageContainer;

  constructor(scope: Construct, id: string, props: DatasetStorageProps) {
    super(scope, id);
    this.account = new StorageAccount(this, 'account', {
      name: props.accountName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      accountTier: 'Standard',
      accountReplicationType: props.replication ?? 'LRS',
      httpsTrafficOnlyEnabled: true,
      minTlsVersion: 'TLS1_2',
      allowNestedItemsToBePublic: false,
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      publicNetworkAccessEnabled: allowPublicAccess(this, props.publicAccess),
    });
    this.container = new StorageContainer(this, 'container', {
      name: props.containerName,
      storageAccountId: this.account.id,
      containerAccessType: 'private',
    });
    if (props.uploaderObjectId) {
      new RoleAssignment(this, 'uploader', {
        scope: this.account.id,
        roleDefinitionName: ROLES.storageBlobDataContributor,
        principalId: props.uploaderObjectId,
      });
    }
    props.monitoring.diagnostics(this, `${this.account.id}/blobServices/default`);
  }
}
