import { INGEST_PIPELINE, ingestActivities, STAGING_TABLE } from '../../catalogue/data-factory';
import type { MappingProfile, TargetColumn } from '../../catalogue/definition';
import { ANIME_COLUMNS } from '../../catalogue/definition';
import {
  Construct,
  DataFactory,
  DataFactoryDatasetAzureSqlTable,
  DataFactoryDatasetDelimitedText,
  DataFactoryLinkedServiceAzureBlobStorage,
  DataFactoryLinkedServiceAzureSqlDatabase,
  DataFactoryPipeline,
} from '../provider';
import {
  allowPublicAccess,
  grantToManagedIdentity,
  type Placement,
  type PublicAccess,
  ROLES,
} from './common';
import type { Monitoring } from './monitoring';

export interface IngestFactoryProps extends Placement {
  readonly name: string;
  readonly storage: {
    readonly accountId: string;
    readonly blobEndpoint: string;
    readonly container: string;
    readonly blob: string;
  };
  readonly sql: { readonly server: string; readonly database: string };
  /** The mapping profile the CSV follows, from catalogue. */
  readonly profile: MappingProfile;
  /** @default the ingest definition's columns */
  readonly columns?: readonly TargetColumn[];
  /** @default off (pipelines are triggered through the ARM control plane) */
  readonly publicAccess?: PublicAccess;
  readonly monitoring: Monitoring;
}

/**
 * Data Factory running the same ingest as the local ETL: its copy mapping is generated from the
 * shared definition and profile, and its last step bumps the data version so caches invalidate.
 * Its managed identity gets a database user from the deploy pipeline's database bootstrap
 * (`npm run db:bootstrap`): INSERT and ALTER on the staging table and EXECUTE on the procedure.
 */
export class IngestFactory extends Construct {
  readonly factory: DataFactory;
  readonly pipeline: DataFactoryPipeline;

  get principalId(): string {
    return this.factory.identity.principalId;
  }

  constructor(scope: Construct, id: string, props: IngestFactoryProps) {
    super(scope, id);
    this.factory = new DataFactory(this, 'factory', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      identity: { type: 'SystemAssigned' },
      publicNetworkEnabled: allowPublicAccess(this, props.publicAccess),
    });
    grantToManagedIdentity(this, 'reads-datasets', {
      on: props.storage.accountId,
      role: ROLES.storageBlobDataReader,
      principalId: this.factory.identity.principalId,
    });
    const blob = new DataFactoryLinkedServiceAzureBlobStorage(this, 'blob', {
      name: 'DatasetBlobStorage',
      dataFactoryId: this.factory.id,
      serviceEndpoint: props.storage.blobEndpoint,
      useManagedIdentity: true,
    });
    const sql = new DataFactoryLinkedServiceAzureSqlDatabase(this, 'sql', {
      name: 'CatalogueSql',
      dataFactoryId: this.factory.id,
      connectionString: `Data Source=tcp:${props.sql.server},1433;Initial Catalog=${props.sql.database};Encrypt=True;`,
      useManagedIdentity: true,
    });
    const source = new DataFactoryDatasetDelimitedText(this, 'source', {
      name: 'AnimeCsv',
      dataFactoryId: this.factory.id,
      linkedServiceName: blob.name,
      azureBlobStorageLocation: { container: props.storage.container, filename: props.storage.blob },
      columnDelimiter: props.profile.delimiter,
      rowDelimiter: '\n',
      quoteCharacter: '"',
      escapeCharacter: '"',
      firstRowAsHeader: true,
      encoding: 'UTF-8',
    });
    const staging = new DataFactoryDatasetAzureSqlTable(this, 'staging', {
      name: 'AnimeStaging',
      dataFactoryId: this.factory.id,
      linkedServiceId: sql.id,
      schema: 'dbo',
      table: STAGING_TABLE,
    });
    this.pipeline = new DataFactoryPipeline(this, 'pipeline', {
      name: INGEST_PIPELINE,
      dataFactoryId: this.factory.id,
      parameters: { mode: 'upsert' },
      // Two runs would share the one staging table: the second waits for the first.
      concurrency: 1,
      activitiesJson: JSON.stringify(
        ingestActivities(
          { sourceDataset: source.name, stagingDataset: staging.name, sqlLinkedService: sql.name },
          props.profile,
          props.columns ?? ANIME_COLUMNS,
        ),
      ),
    });
    props.monitoring.diagnostics(this, this.factory.id);
  }
}
