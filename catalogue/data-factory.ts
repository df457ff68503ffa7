import { ANIME_COLUMNS, type MappingProfile, type TargetColumn } from './definition';

/**
 * The Data Factory side of the ingest: the Copy activity lands the CSV's columns, as text, in a
 * staging table named after the definition's columns; a stored procedure then validates, converts
 * and merges them and bumps the data version (so every API instance's cache invalidates).
 * Everything here is derived from the same definition and profile as the local ETL.
 */
export const STAGING_TABLE = 'animes_staging';
export const MERGE_PROCEDURE = 'merge_staged_animes';
export const INGEST_PIPELINE = 'IngestAnimes';

export interface ColumnMapping {
  source: { name: string; type: 'String' };
  sink: { name: string };
}

/** The TabularTranslator of the Copy activity: source header -> staging column, per profile field. */
export function copyTranslator(profile: MappingProfile, columns: readonly TargetColumn[] = ANIME_COLUMNS) {
  const mappings: ColumnMapping[] = [];
  for (const column of columns) {
    // The source is the profile's, passed to the merge; no CSV column carries it.
    const field = (profile.fields as Record<string, { from: string } | undefined>)[column.field];
    if (field) mappings.push({ source: { name: field.from, type: 'String' }, sink: { name: column.column } });
  }
  return { type: 'TabularTranslator', mappings, typeConversion: false };
}

export interface IngestPipelineNames {
  readonly sourceDataset: string;
  readonly stagingDataset: string;
  readonly sqlLinkedService: string;
}

/** The pipeline's activities: copy into staging, then merge (which also bumps the data version). */
export function ingestActivities(
  names: IngestPipelineNames,
  profile: MappingProfile,
  columns: readonly TargetColumn[] = ANIME_COLUMNS,
) {
  return [
    {
      name: 'CopyCsvToStaging',
      type: 'Copy',
      policy: {
        timeout: '0.01:00:00',
        retry: 2,
        retryIntervalInSeconds: 60,
        secureInput: false,
        secureOutput: false,
      },
      inputs: [{ referenceName: names.sourceDataset, type: 'DatasetReference' }],
      outputs: [{ referenceName: names.stagingDataset, type: 'DatasetReference' }],
      typeProperties: {
        source: {
          type: 'DelimitedTextSource',
          storeSettings: { type: 'AzureBlobStorageReadSettings', recursive: false },
          // The SDK the provider reads pipelines back with writes this field even when null; leaving
          // it out shows a change on every plan (azurerm #16844).
          formatSettings: { type: 'DelimitedTextReadSettings', compressionProperties: null },
        },
        sink: {
          type: 'AzureSqlSink',
          // The staging table belongs to this run only; the live tables change in the merge alone.
          // (Data Factory's database user holds ALTER on this one table, which TRUNCATE needs.)
          preCopyScript: `TRUNCATE TABLE [dbo].[${STAGING_TABLE}]`,
          // SqlWriteBehaviorEnum is Insert | Upsert | StoredProcedure; tableOption takes only
          // 'autoCreate', so the existing staging table means leaving it out.
          writeBehavior: 'Insert',
        },
        enableStaging: false,
        translator: copyTranslator(profile, columns),
      },
    },
    {
      name: 'MergeStagedAnimes',
      type: 'SqlServerStoredProcedure',
      dependsOn: [{ activity: 'CopyCsvToStaging', dependencyConditions: ['Succeeded'] }],
      policy: { timeout: '0.01:00:00', retry: 0 },
      linkedServiceName: { referenceName: names.sqlLinkedService, type: 'LinkedServiceReference' },
      typeProperties: {
        storedProcedureName: `[dbo].[${MERGE_PROCEDURE}]`,
        storedProcedureParameters: {
          profile: { value: profile.name, type: 'String' },
          // The namespace of the file's ids: the merge matches and replaces rows of this source only.
          source: { value: profile.source, type: 'String' },
          mode: { value: '@pipeline().parameters.mode', type: 'String' },
        },
      },
    },
  ];
}
