import { tsqlType, tsqlTypeText } from '../../../catalogue/ddl';
import { ANIME_COLUMNS, type AnimeField, NATURAL_KEY } from '../../../catalogue/definition';
import { storedColumn } from '../sql/anime-row';

/**
 * The fixed statements of the mssql user store and loader, in one place so a unit test can parse
 * each one as T-SQL. Values are always `@name` parameters. (The catalogue's statements are
 * catalogue-sql.ts, written once for both dialects and parsed by the same test.)
 */
export const SQL = {
  marker: 'SELECT version, accounted FROM data_version WHERE id = 1',
  // Loads take data_version first, as API writes do: one lock order, so the two never deadlock.
  lockMarker: 'SELECT version FROM data_version WITH (UPDLOCK, HOLDLOCK) WHERE id = 1',
  anyAnime: 'SELECT TOP 1 id FROM animes',
  // users and local credentials
  insertUser:
    'INSERT INTO users (uid, email, display_name, role, created_at) VALUES (@uid, @email, @displayName, @role, @createdAt)',
  userByUid: 'SELECT uid, email, display_name, role, created_at FROM users WHERE uid = @uid',
  userByEmail: 'SELECT uid, email, display_name, role, created_at FROM users WHERE email = @email',
  // The last admin can be neither demoted nor deleted; the count holds its locks to the commit.
  listUsers: `SELECT TOP (@limit) uid, email, display_name, role, created_at FROM users
WHERE email > @afterEmail AND (@role IS NULL OR role = @role) ORDER BY email`,
  setRole: `UPDATE users SET role = @role WHERE uid = @uid
AND (@role = 'admin' OR role <> 'admin' OR (SELECT COUNT(*) FROM users WITH (UPDLOCK, HOLDLOCK) WHERE role = 'admin') > 1)`,
  promoteFirstAdmin: `UPDATE users SET role = 'admin' WHERE uid = @uid
AND NOT EXISTS (SELECT 1 FROM users WITH (UPDLOCK, HOLDLOCK) WHERE role = 'admin')`,
  deleteUser: `DELETE FROM users WHERE uid = @uid
AND (role <> 'admin' OR (SELECT COUNT(*) FROM users WITH (UPDLOCK, HOLDLOCK) WHERE role = 'admin') > 1)`,
  insertCredential:
    'INSERT INTO local_credentials (uid, email, display_name, password_hash) VALUES (@uid, @email, @displayName, @passwordHash)',
  credentialByEmail:
    'SELECT uid, email, display_name, password_hash FROM local_credentials WHERE email = @email',
  credentialByUid: 'SELECT uid, email, display_name, password_hash FROM local_credentials WHERE uid = @uid',
  updatePasswordHash: 'UPDATE local_credentials SET password_hash = @passwordHash WHERE uid = @uid',
  deleteCredential: 'DELETE FROM local_credentials WHERE uid = @uid',
  // sessions: a user's dead ones go when they sign in again
  insertSession: `DELETE FROM sessions WHERE uid = @uid AND (expires_at <= @now OR revoked_at IS NOT NULL);
INSERT INTO sessions (id, uid, refresh_hash, created_at, expires_at) VALUES (@id, @uid, @refreshHash, @now, @expiresAt);
UPDATE sessions SET revoked_at = @now WHERE uid = @uid AND revoked_at IS NULL AND id <> @id AND id NOT IN (
SELECT TOP (@keep) id FROM sessions WHERE uid = @uid AND revoked_at IS NULL AND id <> @id ORDER BY created_at DESC, id DESC)`,
  // The next hash is fresh randomness, so finding it afterwards finds exactly this rotation.
  rotateSession: `UPDATE sessions SET previous_hash = refresh_hash, refresh_hash = @nextHash
WHERE id = @id AND refresh_hash = @presentedHash AND revoked_at IS NULL AND expires_at > @now;
SELECT uid, expires_at FROM sessions WHERE id = @id AND refresh_hash = @nextHash`,
  revokeReusedSession:
    'UPDATE sessions SET revoked_at = @now WHERE id = @id AND previous_hash = @presentedHash AND revoked_at IS NULL',
  sessionAccount: `SELECT u.uid, u.email, u.display_name, u.role, u.created_at FROM sessions s JOIN users u ON u.uid = s.uid
WHERE s.id = @id AND s.revoked_at IS NULL AND s.expires_at > @now`,
  revokeSession: 'UPDATE sessions SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL',
  revokeSessions:
    'UPDATE sessions SET revoked_at = @now WHERE uid = @uid AND revoked_at IS NULL AND id <> @exceptId',
} as const;

// Our own names only: a loader's staging table (a fixed prefix and a UUID) or the procedure's #valid.
const MERGE_SOURCES = /^(etl_staging_[0-9a-f]{32}|#valid)$/;

const KEY = ANIME_COLUMNS.filter((c) => (NATURAL_KEY as readonly string[]).includes(c.field));
/** `x` and `y` are the same row: equal on every natural-key column. */
const sameKey = (x: string, y: string) =>
  KEY.map((c) => `${x}.[${c.column}] = ${y}.[${c.column}]`).join(' AND ');

/**
 * The one merge of staged rows into the live tables, shared by the ETL's bulk loader and the Data
 * Factory procedure. The source has a column per definition column (see storedColumn: lists arrive
 * as JSON, as in `animes`) and `seq`; every staged row belongs to the source `@source`, the only
 * source whose rows a replace may delete.
 */
export function mergeStatements(source: string, fields?: readonly AnimeField[]) {
  if (!MERGE_SOURCES.test(source)) throw new Error(`bad merge source ${source}`);
  // The latest staged row per natural key wins, as a re-run of the file would.
  const partition = KEY.map((c) => `s.[${c.column}]`).join(', ');
  const latest = `(SELECT * FROM (SELECT s.*, ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY s.seq DESC) AS rn FROM ${source} s) d WHERE d.rn = 1)`;
  const columns = ANIME_COLUMNS.map(storedColumn);
  // A partial mapping changes only what it maps; the other fields of existing rows keep their values.
  // (Genre links are rebuilt from the live row's genres, so an unmapped list keeps its links too.)
  const changing = ANIME_COLUMNS.filter(
    (c) => !KEY.includes(c as (typeof KEY)[number]) && (!fields || fields.includes(c.field)),
  );
  // Text compares under a binary collation: the database's default is case-insensitive, and a
  // case-only correction ("Fate/Stay Night" to "Fate/stay night") must count as a change.
  const binary = (c: (typeof changing)[number], side: string) =>
    c.kind === 'integer' || c.kind === 'decimal' ? side : `${side} COLLATE Latin1_General_100_BIN2`;
  const changed = changing
    .map((c) => {
      const name = storedColumn(c);
      const [a, v] = [binary(c, `a.${name}`), binary(c, `v.${name}`)];
      return c.nullable ? `NOT (${a} = ${v} OR (a.${name} IS NULL AND v.${name} IS NULL))` : `${a} <> ${v}`;
    })
    .join('\nOR ');
  return {
    deleteAbsent: `DELETE FROM animes WHERE animes.[source] = @source AND NOT EXISTS (SELECT 1 FROM ${source} s WHERE ${sameKey('s', 'animes')})`,
    // A mapping of the source id alone changes nothing on existing rows.
    updateChanged: changing.length
      ? `UPDATE a SET ${changing.map((c) => `a.${storedColumn(c)} = v.${storedColumn(c)}`).join(', ')},
a.version = a.version + 1, a.updated_at = SYSUTCDATETIME()
FROM animes a JOIN ${latest} v ON ${sameKey('v', 'a')}
WHERE ${changed}`
      : 'UPDATE animes SET version = version WHERE 1 = 0',
    insertNew: `INSERT INTO animes (${columns.join(', ')}, version, created_at, updated_at)
SELECT ${columns.map((c) => `v.${c}`).join(', ')}, 1, SYSUTCDATETIME(), SYSUTCDATETIME()
FROM ${latest} v WHERE NOT EXISTS (SELECT 1 FROM animes a WHERE ${sameKey('a', 'v')})`,
    insertGenres: `INSERT INTO genres (name) SELECT DISTINCT j.value FROM ${source} s CROSS APPLY OPENJSON(s.genres_json) j
WHERE NOT EXISTS (SELECT 1 FROM genres g WHERE g.name = j.value)`,
    unlinkStaged: `DELETE ag FROM anime_genres ag JOIN animes a ON a.id = ag.anime_id JOIN ${source} s ON ${sameKey('s', 'a')}`,
    linkStaged: `INSERT INTO anime_genres (anime_id, genre_id) SELECT DISTINCT a.id, g.id FROM animes a
JOIN ${source} s ON ${sameKey('s', 'a')} CROSS APPLY OPENJSON(a.genres_json) j JOIN genres g ON g.name = j.value`,
  };
}

/** A staged column: the live column's type (lists as JSON text), without its checks. */
function stagedColumnType(column: (typeof ANIME_COLUMNS)[number]): string {
  return tsqlTypeText(tsqlType(column));
}

/** The loader's statements, over a per-load staging table (its name is ours: a fixed prefix and a UUID). */
export function loaderStatements(staging: string, fields?: readonly AnimeField[]) {
  if (!/^etl_staging_[0-9a-f]{32}$/.test(staging)) throw new Error(`bad staging table name ${staging}`);
  return {
    create: `CREATE TABLE ${staging} (seq BIGINT IDENTITY(1,1) NOT NULL, ${ANIME_COLUMNS.map(
      (c) => `[${storedColumn(c)}] ${stagedColumnType(c)} ${c.nullable ? 'NULL' : 'NOT NULL'}`,
    ).join(', ')})`,
    drop: `DROP TABLE IF EXISTS ${staging}`,
    ...mergeStatements(staging, fields),
    distinctStaged: `SELECT COUNT(*) AS n FROM (SELECT DISTINCT ${KEY.map((c) => `[${c.column}]`).join(', ')} FROM ${staging}) k`,
  };
}
