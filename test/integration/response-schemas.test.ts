import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { FirebaseIdentityProvider } from '../../platform/adapters/firebase/firebase-identity-provider';
import { hasFirebaseEmulator, useFirebaseEmulator } from '../support/firebase-emulator';
import { describeIf } from '../support/real-component';
import { ADMIN_BOOTSTRAP_TOKEN, createTestApp } from '../support/test-app';

const firebase = hasFirebaseEmulator();

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}

/** The schema with every `#/components/schemas/X` replaced by X itself (the document has no cycles). */
function inlined(schema: unknown, components: Record<string, Json>): unknown {
  if (Array.isArray(schema)) return schema.map((s) => inlined(s, components));
  if (!schema || typeof schema !== 'object') return schema;
  const ref = (schema as Json).$ref;
  if (typeof ref === 'string')
    return inlined(components[ref.replace('#/components/schemas/', '')], components);
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inlined(v, components)]));
}

/**
 * Every response of a traffic corpus that reaches every operation, checked against what the served
 * OpenAPI document says of that operation and status: the status is documented, the media type is
 * one it lists, and a JSON body validates against its schema. Then every operation's success
 * status must have been seen, so a new route without a case here fails.
 */
describe('every response matches the schema its operation documents', () => {
  let ctx: TestApp;
  let doc: {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, Json> };
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validators = new Map<string, ValidateFunction>();
  const seen = new Set<string>();
  const problems: string[] = [];
  let routes: { pattern: RegExp; template: string }[];

  beforeAll(async () => {
    ctx = await createTestApp({ env: { CACHE_ENABLED: 'true' } });
    doc = (await request(ctx.server).get('/openapi.json').expect(200)).body;
    // Static paths before templated ones: /animes/all is not /animes/{id}.
    routes = Object.keys(doc.paths)
      .sort((a, b) => Number(a.includes('{')) - Number(b.includes('{')))
      .map((template) => ({ template, pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`) }));
  });
  afterAll(() => ctx?.platform.close());

  function check(method: string, url: string, res: request.Response) {
    const path = new URL(url, 'http://x').pathname;
    const template = routes.find((r) => r.pattern.test(path))?.template;
    const operation = template && doc.paths[template]![method];
    if (template && !operation) {
      // A method the path lacks: 405 with a problem, as every operation of the path documents.
      const problem = ajv.compile(inlined(doc.components.schemas.Problem, doc.components.schemas) as Json);
      if (res.status !== 405 || !problem(res.body))
        problems.push(`${method} ${path}: ${res.status}, not 405`);
      seen.add(`${method} ${path} 405`);
      return;
    }
    if (!operation) return problems.push(`${method.toUpperCase()} ${path}: not in the document`);
    const where = `${operation.operationId} ${res.status}`;
    seen.add(where);
    const documented = operation.responses[String(res.status)];
    if (!documented) return problems.push(`${where}: status not documented`);
    const mediaType = String(res.headers['content-type'] ?? '').split(';')[0]!;
    if (!documented.content) {
      if (res.text) problems.push(`${where}: a body where none is documented`);
      return;
    }
    const content = documented.content[mediaType];
    if (!content) return problems.push(`${where}: ${mediaType} not documented`);
    if (!mediaType.endsWith('json')) return;
    let validate = validators.get(`${where} ${mediaType}`);
    if (!validate) {
      validate = ajv.compile(inlined(content.schema, doc.components.schemas) as Json);
      validators.set(`${where} ${mediaType}`, validate);
    }
    if (!validate(res.body)) problems.push(`${where}: ${ajv.errorsText(validate.errors)}`);
  }

  async function call(
    method: 'get' | 'post' | 'put' | 'patch' | 'delete',
    url: string,
    options: { headers?: Record<string, string>; body?: unknown } = {},
  ): Promise<request.Response> {
    let req = request(ctx.server)
      [method](url)
      .set(options.headers ?? {});
    if (options.body !== undefined) req = req.send(options.body as object);
    const res = await req;
    check(method, url, res);
    return res;
  }

  // Only Firebase issues ID tokens to exchange: its success comes from the real emulator.
  describeIf(firebase)('with the Firebase Auth emulator', () => {
    const emulator = useFirebaseEmulator();
    it('exchanges a client ID token', async () => {
      const app = await createTestApp({
        identity: () =>
          new FirebaseIdentityProvider({ projectId: emulator().projectId, apiKey: 'k', allowEmulator: true }),
      });
      try {
        const email = 'schema-firebase@example.test';
        await request(app.server)
          .post('/auth/signup')
          .send({ email, password: 'long enough password' })
          .expect(201);
        const idToken = await emulator().clientIdToken(email, 'long enough password');
        check('post', '/auth/token', await request(app.server).post('/auth/token').send({ idToken }));
        expect(seen).toContain('exchangeIdToken 200');
      } finally {
        await app.platform.close();
      }
    });
  });

  it('holds over a corpus that reaches every operation, with its successes and its problems', async () => {
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
    // Accounts
    const email = 'schema-admin@example.test';
    const password = 'long enough password';
    await call('post', '/auth/signup', { body: { email, password, displayName: 'Ann' } });
    await call('post', '/auth/signup', { body: { email, password } }); // 409
    await call('post', '/auth/signup', { body: { email: 'nope', password: 'x' } }); // 400
    const session = (await call('post', '/auth/signin', { body: { email, password } })).body;
    await call('post', '/auth/signin', { body: { email, password: 'wrong password' } }); // 401
    const admin = bearer(session.accessToken);
    await call('post', '/auth/admin-bootstrap', { headers: admin, body: { token: 'not it' } }); // 403
    await call('post', '/auth/admin-bootstrap', { headers: admin, body: { token: ADMIN_BOOTSTRAP_TOKEN } });
    await call('post', '/auth/admin-bootstrap', { headers: admin, body: { token: ADMIN_BOOTSTRAP_TOKEN } }); // 409
    await call('get', '/auth/me', { headers: admin });
    await call('get', '/auth/me'); // 401
    const renewed = (await call('post', '/auth/refresh', { body: { refreshToken: session.refreshToken } }))
      .body;
    await call('post', '/auth/refresh', { body: { refreshToken: 'nonsense' } }); // 401
    await call('post', '/auth/token', { body: { idToken: 'a.b.c' } }); // 501
    const other = 'schema-user@example.test';
    await call('post', '/auth/signup', { body: { email: other, password } });
    const user = (await call('post', '/auth/signin', { body: { email: other, password } })).body;
    await call('post', '/auth/password', {
      headers: bearer(user.accessToken),
      body: { currentPassword: 'wrong', newPassword: 'another fine passphrase' },
    }); // 403
    await call('post', '/auth/password', {
      headers: bearer(user.accessToken),
      body: { currentPassword: password, newPassword: 'another fine passphrase' },
    });
    // Administration
    const users = (await call('get', '/admin/users?limit=1', { headers: admin })).body;
    await call('get', users.next, { headers: admin });
    await call('get', '/admin/users', { headers: bearer(user.accessToken) }); // 403
    const uid = (await call('get', '/auth/me', { headers: bearer(user.accessToken) })).body.uid;
    await call('patch', `/admin/users/${uid}`, { headers: admin, body: { role: 'user' } });
    await call('patch', '/admin/users/nobody', { headers: admin, body: { role: 'user' } }); // 404
    const self = (await call('get', '/auth/me', { headers: admin })).body.uid;
    await call('patch', `/admin/users/${self}`, { headers: admin, body: { role: 'user' } }); // 409
    await call('get', '/admin/cache/stats', { headers: admin });
    await call('post', '/admin/cache/purge', { headers: admin });
    // Reads, in every shape
    for (const url of [
      '/animes',
      '/animes?limit=3&sort=-score,title&fields=title,score',
      '/animes?count=exact&type=TV',
      '/animes?format=csv&limit=2',
      '/animes/all?fields=genres&type=OVA',
      '/animes/all?format=csv&type=OVA',
      '/animes?sort=bogus', // 400
      '/animes/1',
      '/animes/999999', // 404
      '/genres?type=TV',
      '/types',
      '/stats?yearFrom=1995',
      '/health',
      '/ready',
    ])
      await call('get', url);
    const page = (await call('get', '/animes?limit=1')).body;
    await call('get', page.next);
    await call('get', '/animes/1', {
      headers: { 'If-None-Match': (await call('get', '/animes/1')).headers.etag as string },
    }); // 304
    await call('get', '/animes', { headers: { Accept: 'text/html' } }); // 406
    // Writes
    const created = (
      await call('post', '/animes', {
        headers: renewed ? bearer(renewed.accessToken) : admin,
        body: { title: 'Schema', type: 'TV' },
      })
    ).body;
    await call('post', '/animes', { headers: admin, body: { title: '' } }); // 400
    await request(ctx.server)
      .post('/animes')
      .set(admin)
      .set('Content-Type', 'text/plain')
      .send('x')
      .then((res) => check('post', '/animes', res)); // 415
    const replaced = await call('put', `/animes/${created.id}`, {
      headers: { ...admin, 'If-Match': `"${created.id}.${created.version}"` },
      body: {
        ...created,
        id: undefined,
        version: undefined,
        createdAt: undefined,
        updatedAt: undefined,
        title: 'Schema 2',
      },
    });
    await call('patch', `/animes/${created.id}`, {
      headers: { ...admin, 'If-Match': replaced.headers.etag as string },
      body: { episodes: 3 },
    });
    await call('patch', `/animes/${created.id}`, {
      headers: { ...admin, 'If-Match': '"1.1"' },
      body: { episodes: 4 },
    }); // 412
    await call('delete', `/animes/${created.id}`, { headers: admin });
    await call('delete', `/animes/${created.id}`, { headers: admin }); // 404
    await call('put', '/animes', { body: {} }); // 405
    // Sign-out and deletion last: they end the sessions above.
    await call('post', '/auth/signout', { headers: bearer(user.accessToken), body: {} });
    await call('delete', '/auth/me', { headers: bearer(renewed.accessToken) }); // 409: the last admin
    const last = (
      await call('post', '/auth/signin', { body: { email: other, password: 'another fine passphrase' } })
    ).body;
    await call('delete', '/auth/me', { headers: bearer(last.accessToken) });

    expect(problems).toEqual([]);
    const successes = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods).map(
        (op) => `${op.operationId} ${Object.keys(op.responses).find((s) => /^2/.test(s))}`,
      ),
    );
    const unseen = successes.filter((success) => !seen.has(success));
    expect(unseen).toEqual(firebase ? [] : ['exchangeIdToken 200']);
    expect(seen.size).toBeGreaterThan(successes.length + 20);
  });

  it('catches a body its schema does not allow (the negative control)', () => {
    const before = problems.length;
    const fake = {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { items: 'no' },
      text: '{}',
    };
    check('get', '/animes', fake as unknown as request.Response);
    check('get', '/animes/1', { ...fake, status: 418 } as unknown as request.Response);
    expect(problems.slice(before)).toEqual([
      expect.stringMatching(/^listAnimes 200: .*items/),
      'getAnime 418: status not documented',
    ]);
  });
});
