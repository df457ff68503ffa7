import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import newman, { type NewmanRunSummary } from 'newman';
import { ROOT } from '../support/cli';
import { listen } from '../support/raw-http';
import { ADMIN_BOOTSTRAP_TOKEN, createTestApp } from '../support/test-app';

/**
 * The contract suite a user generates from the served document: Portman turns /openapi.json into a
 * Postman collection with a test per operation (status, content type, JSON body, response schema,
 * declared headers), its requests built from the document's examples, and newman runs it against
 * a live app. A flow (sign up, sign in, claim the first admin, ...) is the only thing added here:
 * the order, and which response feeds which request, in test/integration/portman/.
 */
const CONFIG = join(ROOT, 'test', 'integration', 'portman');

/** The order a user walks the API in; every operation the document has must be placed here. */
const FLOW = [
  'POST /auth/signup',
  'POST /auth/signin',
  'POST /auth/admin-bootstrap',
  'POST /auth/refresh',
  'POST /auth/token',
  'GET /auth/me',
  'GET /animes',
  'POST /animes',
  'GET /animes/all',
  'GET /animes/:id',
  'PUT /animes/:id',
  'PATCH /animes/:id',
  'DELETE /animes/:id',
  'GET /genres',
  'GET /types',
  'GET /stats',
  'GET /admin/users',
  'PATCH /admin/users/:uid',
  'GET /admin/cache/stats',
  'POST /admin/cache/purge',
  'GET /health',
  'GET /ready',
  'POST /auth/password',
  'POST /auth/signout',
  'DELETE /auth/me',
];

interface CollectionItem {
  name: string;
  item?: CollectionItem[];
  request?: { method: string; url: { path?: string[] } };
}
interface Collection {
  item: CollectionItem[];
  [key: string]: unknown;
}

let generated = 0;

/** As much of an OpenAPI document as the negative controls edit. */
interface ServedDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<
          string,
          { content: Record<string, { schema: { required: string[]; properties: Record<string, unknown> } }> }
        >;
      }
    >
  >;
}
const operationOf = (item: CollectionItem) => `${item.request!.method} /${item.request!.url.path!.join('/')}`;
const requestsOf = (items: CollectionItem[]): CollectionItem[] =>
  items.flatMap((item) => (item.item ? requestsOf(item.item) : [item]));

/**
 * Runs Portman's converter (no newman, no Postman upload) on a document: the URL a live server
 * serves it at, or a file.
 */
function generateCollection(document: string, baseUrl: string, workDir: string): Promise<Collection> {
  const output = join(workDir, `collection-${++generated}.json`);
  const source = document.startsWith('http') ? ['--url', document] : ['--local', document];
  const args = [
    join(ROOT, 'node_modules', '@apideck', 'portman', 'bin', 'portman'),
    ...source,
    ...['--baseUrl', baseUrl, '--output', output],
    ...['--portmanConfigFile', join(CONFIG, 'portman-config.json')],
    ...['--postmanConfigFile', join(CONFIG, 'postman-config.json')],
  ];
  // Async: the server answering the document runs in this process.
  const child = spawn(process.execPath, args, {
    cwd: workDir, // Portman writes its working files under ./tmp
    env: { ...process.env, PORTMAN_ADMIN_BOOTSTRAP_TOKEN: ADMIN_BOOTSTRAP_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(readFileSync(output, 'utf8')) as Collection)
        : reject(new Error(`portman exited ${code}:\n${log}`)),
    ),
  );
}

/** The collection as one folder in FLOW's order. */
function inFlowOrder(collection: Collection): Collection {
  const requests = requestsOf(collection.item);
  const rank = (item: CollectionItem) => FLOW.indexOf(operationOf(item));
  return { ...collection, item: [...requests].sort((a, b) => rank(a) - rank(b)) };
}

function run(collection: Collection): Promise<NewmanRunSummary> {
  return new Promise((resolve, reject) =>
    // No abortOnFailure: every failing case is reported, not only the first.
    newman.run({ collection: collection as never, reporters: [] }, (error, summary) =>
      error ? reject(error) : resolve(summary),
    ),
  );
}

const failuresOf = (summary: NewmanRunSummary) =>
  summary.run.failures.map((f) => `${(f.source as { name?: string } | undefined)?.name}: ${f.error.message}`);

/** Removes every `example` keyword in place (what a document without examples would be). */
function dropExamples(node: unknown): void {
  if (Array.isArray(node)) node.forEach(dropExamples);
  else if (node && typeof node === 'object') {
    delete (node as Record<string, unknown>).example;
    for (const value of Object.values(node)) dropExamples(value);
  }
}

/** Another app and server, closed when the caller's scope ends. */
async function freshServer() {
  const ctx = await createTestApp({ env: { CACHE_ENABLED: 'true' } });
  const server = await listen(ctx.server);
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async [Symbol.asyncDispose]() {
      await new Promise((resolve) => server.close(resolve));
      await ctx.platform.close();
    },
  };
}

describe('the contract suite generated from the served OpenAPI document (Portman + newman)', () => {
  let ctx: Awaited<ReturnType<typeof createTestApp>>;
  let server: Server;
  let baseUrl: string;
  let workDir: string;
  let collection: Collection;
  beforeAll(async () => {
    ctx = await createTestApp({ env: { CACHE_ENABLED: 'true' } });
    server = await listen(ctx.server);
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    workDir = mkdtempSync(join(tmpdir(), 'portman-'));
    collection = await generateCollection(`${baseUrl}/openapi.json`, baseUrl, workDir);
  }, 60_000);
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await ctx?.platform.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('places every operation of the document in the flow, once', () => {
    expect(requestsOf(collection.item).map(operationOf).sort()).toEqual([...FLOW].sort());
  });

  it('passes every generated case against the live app', async () => {
    const summary = await run(inFlowOrder(collection));
    expect(failuresOf(summary)).toEqual([]);
    expect(summary.run.stats.requests.total).toBe(FLOW.length + 2); // + the pre-request sign-up and sign-in
    // Every operation was checked: at least its status and its content type (or JSON body).
    // (A pre-request script's requests are executions of the same item.)
    const assertions = new Map<string, number>();
    for (const e of summary.run.executions)
      assertions.set(e.item.name, (assertions.get(e.item.name) ?? 0) + (e.assertions ?? []).length);
    expect([...assertions].filter(([, count]) => count < 2)).toEqual([]);
    expect(assertions.size).toBe(FLOW.length);
  }, 60_000);

  /** The served document, changed by `edit`, as a file Portman can read. */
  async function editedDocument(edit: (document: ServedDocument) => void): Promise<string> {
    const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as ServedDocument;
    edit(document);
    const file = join(workDir, `openapi-${generated}.json`);
    writeFileSync(file, JSON.stringify(document));
    return file;
  }

  it('fails where the document promises what the server does not send (negative control)', async () => {
    // A fresh app: the flow signs up the same account and claims the first admin again.
    await using fresh = await freshServer();
    const file = await editedDocument((document) => {
      // GET /auth/me's account gains a required field the server never sends.
      const account = document.paths['/auth/me']!.get!.responses['200']!.content['application/json']!.schema;
      expect(account.properties.uid).toBeDefined();
      account.required = [...account.required, 'nickname'];
      account.properties.nickname = { type: 'string' };
    });
    const summary = await run(inFlowOrder(await generateCollection(file, fresh.baseUrl, workDir)));
    const failures = failuresOf(summary);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^The signed-in account: [\s\S]*required property 'nickname'/);
  }, 60_000);

  it("fails on dummy data: the document's examples are what make the requests valid (negative control)", async () => {
    await using fresh = await freshServer();
    const file = await editedDocument((document) => dropExamples(document));
    const summary = await run(inFlowOrder(await generateCollection(file, fresh.baseUrl, workDir)));
    expect(
      failuresOf(summary).some((f) => f.includes('expected response code to be 2XX but found 400')),
    ).toBe(true);
  }, 60_000);
});
