import { createServer } from 'node:http';
import Database from 'better-sqlite3';
import { catalogueSql } from '../../platform/adapters/sql/catalogue-sql';
import { sqliteDialect } from '../../platform/adapters/sqlite/sqlite-dialect';

/**
 * The physical limit of an uncached read: node:http, the same prepared statements as the API's
 * (built by its own SQL), better-sqlite3 on the main thread and JSON.stringify; no framework, no
 * validation, no cache, no headers beyond the type. GET /page is the page of 50 TV titles by
 * score, GET /all every row.
 */
const [database] = process.argv.slice(2);
const db = new Database(database!, { readonly: true });
const sql = catalogueSql(sqliteDialect);
const pageQuery = sql.list({ type: ['TV'] }, { field: 'score', descending: true }, { limit: 50 });
const allQuery = sql.list({}, { field: 'id', descending: false });
const page = db.prepare(pageQuery.text);
const all = db.prepare(allQuery.text);
createServer((req, res) => {
  const rows = req.url === '/all' ? all.all(...allQuery.params) : page.all(...pageQuery.params).slice(0, 50);
  const body = JSON.stringify({ items: rows });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
