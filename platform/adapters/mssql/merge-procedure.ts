import { MERGE_PROCEDURE, STAGING_TABLE } from '../../../catalogue/data-factory';
import {
  ANIME_COLUMNS,
  type MappingProfile,
  mappedFields,
  SOURCE_FIELD,
  synonymLookup,
  type TargetColumn,
} from '../../../catalogue/definition';
import { storedColumn } from '../sql/anime-row';
import { mergeStatements } from './statements';

/** A T-SQL string literal (the values come from our own definition, never from requests). */
const literal = (text: string) => `N'${text.replace(/'/g, "''")}'`;

/** Stands for an item's quote while a list literal is rewritten: a control character no cell holds. */
const MARK = '\u0001';

/**
 * Rewrites a Python list literal as pandas writes it, ['Action', "Girls' Love"], into JSON with
 * plain REPLACEs, in this order: the item boundaries become marks first, so every quote left is
 * part of a name. A name that itself contains a boundary such as `', '` comes out wrong, and spaces
 * inside the brackets make invalid JSON (the row is then rejected as "not a list"); the ETL's parser
 * handles both, pandas writes neither.
 */
export const PYTHON_LIST_TO_JSON: readonly (readonly [string, string])[] = [
  ["['", `[${MARK}`],
  ['["', `[${MARK}`],
  ["']", `${MARK}]`],
  ['"]', `${MARK}]`],
  ...["', '", `', "`, `", '`, '", "', "','", `',"`, `",'`, '","'].map(
    (boundary) => [boundary, `${MARK},${MARK}`] as const,
  ),
  ['"', '\\"'],
  ["\\'", "'"],
  [MARK, '"'],
];

/** Text that may hold the mark, as a T-SQL expression. */
function sqlText(text: string): string {
  const pieces = text
    .split(MARK)
    .flatMap((part, i) => [...(i > 0 ? ['NCHAR(1)'] : []), ...(part ? [literal(part)] : [])]);
  return pieces.join(' + ');
}

function fieldOf(profile: MappingProfile, column: TargetColumn) {
  return (profile.fields as Record<string, import('../../../catalogue/definition').FieldMapping | undefined>)[
    column.field
  ];
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
      const synonyms = [...synonymLookup(fieldOf(profile, column))];
      const upper = `UPPER(${value})`;
      return synonyms.length
        ? `CASE ${upper} ${synonyms.map(([from, to]) => `WHEN ${literal(from)} THEN ${literal(to)}`).join(' ')} ELSE ${upper} END`
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
      const json = PYTHON_LIST_TO_JSON.reduce(
        (text, [from, to]) => `REPLACE(${text}, ${sqlText(from)}, ${sqlText(to)})`,
        value,
      );
      return `COALESCE(${json}, N'[]')`;
    }
  }
}

/** The first reason a typed row is invalid, or NULL. Mirrors the ETL's schema checks. */
function rejection(column: TargetColumn): string | undefined {
  const c = `t.[${storedColumn(column)}]`;
  const raw = `t.[${column.column}_raw]`;
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
  if (column.kind === 'textList') {
    // The definition's limits, checked per row: one over-long item would otherwise fail the
    // genres insert and abort the whole load. OPENJSON only ever sees valid JSON.
    const items = `OPENJSON(CASE WHEN ISJSON(${c}) = 1 THEN ${c} ELSE N'[]' END)`;
    checks.push(`WHEN ISJSON(${c}) = 0 THEN ${literal(`${column.field} is not a list`)}`);
    checks.push(
      `WHEN (SELECT COUNT(*) FROM ${items}) > ${column.maxItems} THEN ${literal(`${column.field} has more than ${column.maxItems} items`)}`,
    );
    checks.push(
      `WHEN EXISTS (SELECT 1 FROM ${items} WHERE LEN(LTRIM(RTRIM(value))) = 0 OR LEN(value) > ${column.itemMaxLength}) THEN ${literal(`${column.field} has an empty item or one longer than ${column.itemMaxLength} characters`)}`,
    );
  }
  return checks.length ? checks.join(' ') : undefined;
}

/**
 * `merge_staged_animes`, generated from the ingest definition and the profile Data Factory's CSV
 * follows: types and validates the staged text like the ETL does (bad rows go to ingest_rejects with
 * a reason), then merges in one transaction. The data-version triggers move with the merge, so every
 * API instance's cache invalidates.
 */
export function mergeProcedure(profile: MappingProfile): string {
  // The source is no CSV column: every staged row belongs to the source the pipeline names.
  const selectTyped = ANIME_COLUMNS.map((c) =>
    c.field === SOURCE_FIELD
      ? `@source AS [${c.column}], @source AS [${c.column}_raw]`
      : `${typed(c, profile)} AS [${storedColumn(c)}], ${cleaned(c, profile)} AS [${c.column}_raw]`,
  ).join(',\n      ');
  const reasons = ANIME_COLUMNS.map(rejection).filter(Boolean).join(' ');
  // Data Factory lands only the profile's columns: the others of existing rows keep their values.
  const merge = mergeStatements('#valid', mappedFields(profile));
  return `CREATE OR ALTER PROCEDURE ${MERGE_PROCEDURE} (@profile NVARCHAR(64), @mode NVARCHAR(16) = N'upsert', @source NVARCHAR(32) = ${literal(profile.source)}) AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  IF @profile <> ${literal(profile.name)} THROW 50001, N'this procedure was generated for profile ${profile.name.replace(/'/g, "''")}', 1;
  -- The profile declares its source; a pipeline naming another would merge into the wrong namespace.
  IF @source IS NULL OR @source <> ${literal(profile.source)} COLLATE Latin1_General_100_BIN2 THROW 50004, N'profile ${profile.name.replace(/'/g, "''")} loads source ${profile.source.replace(/'/g, "''")}', 1;
  IF @mode NOT IN (N'upsert', N'replace') THROW 50002, N'mode must be upsert or replace', 1;
  SELECT s.staged_seq AS seq, ${selectTyped}
  INTO #typed FROM ${STAGING_TABLE} s;
  SELECT t.*, CASE ${reasons} ELSE NULL END AS reject_reason INTO #checked FROM #typed t;
  INSERT INTO ingest_rejects (source_id, reason) SELECT [source_id_raw], reject_reason FROM #checked WHERE reject_reason IS NOT NULL;
  SELECT * INTO #valid FROM #checked WHERE reject_reason IS NULL;
  -- A replace deletes every row of the source the file lacks: with no valid rows, all of them.
  IF @mode = N'replace' AND NOT EXISTS (SELECT 1 FROM #valid)
    THROW 50003, N'replace with no valid staged rows would delete every row of the source; nothing was changed', 1;
  DECLARE @attempt INT = 1, @version BIGINT;
  WHILE 1 = 1
  BEGIN
    BEGIN TRY
      -- The same merge as the ETL's bulk loader (a later row for the same source id wins there).
      BEGIN TRANSACTION;
      -- data_version first, as API writes take it: the same lock order everywhere, no deadlock.
      SELECT @version = version FROM data_version WITH (UPDLOCK, HOLDLOCK) WHERE id = 1;
      IF @mode = N'replace'
        ${merge.deleteAbsent};
      ${merge.updateChanged};
      ${merge.insertNew};
      ${merge.insertGenres};
      ${merge.unlinkStaged};
      ${merge.linkStaged};
      -- Inside the transaction, and covered by ownership chaining (a table truncation is not).
      DELETE FROM ${STAGING_TABLE};
      COMMIT TRANSACTION;
      BREAK;
    END TRY
    BEGIN CATCH
      IF XACT_STATE() <> 0 ROLLBACK TRANSACTION;
      -- A deadlock victim (1205) never reached COMMIT: run the merge again, twice at most.
      IF ERROR_NUMBER() = 1205 AND @attempt < 3
      BEGIN
        SET @attempt = @attempt + 1;
        WAITFOR DELAY '00:00:01';
        CONTINUE;
      END;
      THROW;
    END CATCH
  END;
END`;
}
