import { Construct, StorageAccount, StorageContainer } from '../provider';
import { allowPublicAccess, type Placement, type PublicAccess } from './common';
import type { Monitoring } from './monitoring';

export interface DatasetStorageProps extends Placement {
  readonly accountName: string;
  readonly containerName: string;
  /** @default 'LRS' */
  readonly replication?: 'LRS' | 'ZRS' | 'GRS';
  /**
   * Blob versioning plus soft delete of blobs and containers for this many days, so an overwritten
   * or deleted dataset can be recovered. @default none
   */
  readonly recoveryDays?: number;
  /** @default off */
  readonly publicAccess?: PublicAccess;
  readonly monitoring: Monitoring;
}

function recoveryDays(days: number): number {
  if (!(Number.isInteger(days) && days >= 1 && days <= 365))
    throw new Error(`recoveryDays must be 1-365, got ${days}`);
  return days;
}

/**
 * Where the raw CSV lands. The deploy identity uploads with Storage Blob Data Contributor, granted
 * on the resource group by the bootstrap stack before this account exists. HTTPS and TLS 1.2 only, Entra ID only (no shared keys), no public blobs. */
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
      ...(props.recoveryDays
        ? {
            blobProperties: {
              versioningEnabled: true,
              deleteRetentionPolicy: { days: recoveryDays(props.recoveryDays) },
              containerDeleteRetentionPolicy: { days: recoveryDays(props.recoveryDays) },
            },
          }
        : {}),
    });
    this.container = new StorageContainer(this, 'container', {
      name: props.containerName,
      storageAccountId: this.account.id,
      containerAccessType: 'private',
    });
    props.monitoring.diagnostics(this, `${this.account.id}/blobServices/default`);
  }
}
