import { MERGE_PROCEDURE, STAGING_TABLE } from '../../../pipelines/ingest/data-factory';
import { SCALAR_COLUMNS } from '../../../pipelines/ingest/ddl';
import { ANIME_COLUMNS, type MappingProfile, type TargetColumn } from '../../../pipelines/ingest/definition';
import { kaggleAnimes } from '../../../pipelines/ingest/profiles/kaggle-animes';

/** A T-SQL string literal (the values come from our own definition, never from requests). */
const literal = (text: string) => `N'${text.replace(/'/g, "''")}'`;

function fieldOf(profile: MappingProfile, column: TargetColumn) {
  return (
    profile.fields as Record<string, import('../../../pipelines/ingest/definition').FieldMapping | undefined>
  )[column.field];
}

/** The cleaned text of a staged cell: trimmed, and NULL for the profile's null tokens. */
function cleaned(column: TargetColumn, profile: MappingProfile): string {
  const raw = `LTRIM(RTRIM(s.[${column.column}]))`;
  const tokens = [...new Set(['', ...(fieldOf(profile, column)?.nullTokens ?? [])])];
  return `CASE WHEN ${raw} IS NULL OR ${raw} IN (${tokens.map(literal).join(', ')}) THEN NULL ELSE ${raw} END`;
}

function typed(column: TargetColumn, profile: MappingProfile): string {
  const value = cleaned(column, profile);
  switch (column.kind) {
    case 'text':
      return value;
    case 'enum': {
      const synonyms = Object.entries(fieldOf(profile, column)?.synonyms ?? {});
      const upper = `UPPER(${value})`;
      return synonyms.length
        ? `CASE ${upper} ${synonyms.map(([from, to]) => `WHEN ${literal(from.toUpperCase())} THEN ${literal(to)}`).join(' ')} ELSE ${upper} END`
        : upper;
    }
    case 'integer':
      return `TRY_CONVERT(INT, ${value})`;
    case 'decimal':
      return `TRY_CONVERT(DECIMAL(${String(column.max).length + column.scale},${column.scale}), ${value})`;
    case 'textList': {
      const list = fieldOf(profile, column)?.list;
      if (list?.format === 'delimited') {
        return `COALESCE(N'[' + (SELECT STRING_AGG(N'"' + STRING_ESCAPE(LTRIM(RTRIM(value)), 'json') + N'"', N',') FROM STRING_SPLIT(${value}, ${literal(list.separator)}) WHERE LTRIM(RTRIM(value)) <> N'') + N']', N'[]')`;
      }
      // A Python list literal of quoted names: ['Action', 'Sci-Fi'] -> ["Action","Sci-Fi"].
      return `COALESCE(REPLACE(${value}, N'''', N'"'), N'[]')`;
    }
  }
}

/** The first reason a typed row is invalid, or NULL. Mirrors the ETL's schema checks. */
function rejection(column: TargetColumn): string | undefined {
  const c = `t.[${column.field}]`;
  const raw = `t.[${column.field}_raw]`;
  const checks: string[] = [];
  if (!column.nullable && column.kind !== 'textList')
    checks.push(`WHEN ${c} IS NULL THEN ${literal(`${column.field} is required`)}`);
  if (column.kind === 'integer' || column.kind === 'decimal') {
    checks.push(
      `WHEN ${raw} IS NOT NULL AND ${c} IS NULL THEN ${literal(`${column.field} is not a number`)}`,
    );
    checks.push(
      `WHEN ${c} NOT BETWEEN ${column.min} AND ${column.max} THEN ${literal(`${column.field} is out of range`)}`,
    );
  }
  if (column.kind === 'enum')
    checks.push(
      `WHEN ${c} NOT IN (${column.values.map(literal).join(', ')}) THEN ${literal(`${column.field} is not a known value`)}`,
    );
  if (column.kind === 'text')
    checks.push(`WHEN LEN(${c}) > ${column.maxLength} THEN ${literal(`${column.field} is too long`)}`);
  if (column.kind === 'textList')
    checks.push(`WHEN ISJSON(${c}) = 0 THEN ${literal(`${column.field} is not a list`)}`);
  return checks.length ? checks.join(' ') : undefined;
}

/**
 * `merge_staged_animes`, generated from the ingest definition and the profile Data Factory's CSV
 * follows: types and validates the staged text like the ETL does (bad rows go to ingest_rejects with
 * a reason), then merges in one transaction. The data-version triggers move with the merge, so every
 * API instance's cache invalidates.
 */
export function mergeProcedure(profile: MappingProfile = kaggleAnimes): string {
  const scalar = SCALAR_COLUMNS.map((c) => c.column);
  const list = ANIME_COLUMNS.find((c) => c.kind === 'textList')!;
  const selectTyped = ANIME_COLUMNS.map(
    (c) => `${typed(c, profile)} AS [${c.field}], ${cleaned(c, profile)} AS [${c.field}_raw]`,
  ).join(',\n      ');
  const reasons = ANIME_COLUMNS.map(rejection).filter(Boolean).join(' ');
  const assign = scalar
    .filter((c) => c !== 'source_id')
    .map((c) => `a.[${c}] = v.[${ANIME_COLUMNS.find((x) => x.column === c)!.field}]`);
  const changed = scalar
    .filter((c) => c !== 'source_id')
    .map((c) => {
      const f = ANIME_COLUMNS.find((x) => x.column === c)!.field;
      return `NOT (a.[${c}] = v.[${f}] OR (a.[${c}] IS NULL AND v.[${f}] IS NULL))`;
    })
    .concat([`a.genres_json <> v.[${list.field}]`])
    .join(' OR ');
  const fields = SCALAR_COLUMNS.map((c) => `v.[${c.field}]`).join(', ');
  return `CREATE PROCEDURE ${MERGE_PROCEDURE} @profile NVARCHAR(64), @mode NVARCHAR(16) = N'upsert' AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  IF @profile <> ${literal(profile.name)} THROW 50001, N'this procedure was generated for profile ${profile.name.replace(/'/g, "''")}', 1;
  IF @mode NOT IN (N'upsert', N'replace') THROW 50002, N'mode must be upsert or replace', 1;
  SELECT s.staged_seq, ${selectTyped}
  INTO #typed FROM ${STAGING_TABLE} s;
  SELECT t.*, CASE ${reasons} ELSE NULL END AS reject_reason INTO #checked FROM #typed t;
  INSERT INTO ingest_rejects (source_id, reason) SELECT [sourceId_raw], reject_reason FROM #checked WHERE reject_reason IS NOT NULL;
  -- A later row for the same source id wins, as in the ETL.
  SELECT * INTO #valid FROM (
    SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.[sourceId] ORDER BY c.staged_seq DESC) AS latest
    FROM #checked c WHERE c.reject_reason IS NULL) d WHERE d.latest = 1;
  BEGIN TRANSACTION;
  IF @mode = N'replace'
    DELETE a FROM animes a WHERE NOT EXISTS (SELECT 1 FROM #valid v WHERE v.[sourceId] = a.source_id);
  UPDATE a SET ${assign.join(', ')}, a.genres_json = v.[${list.field}], a.version = a.version + 1, a.updated_at = SYSUTCDATETIME()
    FROM animes a JOIN #valid v ON v.[sourceId] = a.source_id WHERE ${changed};
  INSERT INTO animes (${scalar.join(', ')}, genres_json, version, created_at, updated_at)
    SELECT ${fields}, v.[${list.field}], 1, SYSUTCDATETIME(), SYSUTCDATETIME() FROM #valid v
    WHERE NOT EXISTS (SELECT 1 FROM animes a WHERE a.source_id = v.[sourceId]);
  INSERT INTO genres (name)
    SELECT DISTINCT j.value FROM #valid v CROSS APPLY OPENJSON(v.[${list.field}]) j
    WHERE NOT EXISTS (SELECT 1 FROM genres g WHERE g.name = j.value);
  DELETE ag FROM anime_genres ag JOIN animes a ON a.id = ag.anime_id JOIN #valid v ON v.[sourceId] = a.source_id;
  INSERT INTO anime_genres (anime_id, genre_id)
    SELECT DISTINCT a.id, g.id FROM #valid v JOIN animes a ON a.source_id = v.[sourceId]
    CROSS APPLY OPENJSON(a.genres_json) j JOIN genres g ON g.name = j.value;
  COMMIT TRANSACTION;
  TRUNCATE TABLE ${STAGING_TABLE};
END`;
}
