import Ajv2020 from 'ajv/dist/2020';
import request from 'supertest';
import { createTestApp, signedUpAdmin } from '../support/test-app';

type Json = Record<string, unknown>;

/**
 * Generated clients and contract tests read the served document, so it must refuse what the server
 * refuses and take what it takes. Text is where they drifted (`title: " "` passed the schema and
 * got 400): each edge case goes to both, and their verdicts must be the same.
 */
describe('the served document and the server agree on text', () => {
  let ctx: Awaited<ReturnType<typeof createTestApp>>;
  let auth: { Authorization: string };
  let acceptsBody: (body: unknown) => boolean;
  beforeAll(async () => {
    ctx = await createTestApp({ records: [] });
    auth = await signedUpAdmin(ctx.server);
    const document = (await request(ctx.server).get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: Json }> } }>>;
    };
    const schema = document.paths['/animes']!.post!.requestBody.content['application/json']!.schema;
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    acceptsBody = (body) => validate(body);
  });
  afterAll(() => ctx.platform.close());

  const texts = [
    'Title',
    '  padded  ',
    ' ',
    '\u3000',
    '\u00a0 \u00a0',
    '',
    'tab\tinside',
    'x'.repeat(200),
    'x'.repeat(201),
  ];
  let n = 0;
  const body = (overrides: Json) => ({
    sourceId: `agree-${++n}`,
    title: 'Title',
    type: 'TV',
    year: null,
    score: null,
    episodes: null,
    genres: [],
    ...overrides,
  });

  it.each([
    ['title', (text: string) => ({ title: text })],
    ['a genre', (text: string) => ({ genres: ['Action', text] })],
  ])(
    '%s: every edge case gets the same verdict from the document as from POST /animes',
    async (_what, make) => {
      const verdicts = [];
      for (const text of texts) {
        const candidate = body(make(text));
        const status = (await request(ctx.server).post('/animes').set(auth).send(candidate)).status;
        expect([201, 400]).toContain(status);
        verdicts.push({ text, document: acceptsBody(candidate), server: status === 201 });
      }
      expect(verdicts.filter((v) => v.document !== v.server)).toEqual([]);
      // Not vacuous: some of each.
      expect(verdicts.some((v) => v.server) && verdicts.some((v) => !v.server)).toBe(true);
    },
  );
});
