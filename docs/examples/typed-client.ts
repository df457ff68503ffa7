// The typed client example of docs/api.md, compiled by `npm run typecheck` and run against a live
// API by test/integration/typed-client.test.ts: what the docs show is what works.
import { createAnimeClient } from '../../api/client';

export async function renameTopOva(baseUrl: string, adminToken: string, title: string) {
  const api = createAnimeClient({ baseUrl });

  // data is the page, typed from the document; error is problem details (RFC 9457).
  const { data: page, error } = await api.GET('/animes', {
    params: { query: { type: ['OVA'], sort: '-score', limit: 1 } },
  });
  if (error) throw new Error(`${error.status} ${error.title}: ${error.detail ?? ''}`);
  const top = page.items[0];
  if (!top) return undefined;

  // A write names the version it read (If-Match); a concurrent change answers 412, not a lost update.
  const { data: renamed, error: refused, response } = await api.PATCH('/animes/{id}', {
    params: { path: { id: top.id }, header: { 'If-Match': `"${top.id}.${top.version}"` } },
    headers: { Authorization: `Bearer ${adminToken}` },
    body: { title },
  });
  if (refused) return { status: response.status, problem: refused.title };
  return { status: response.status, title: renamed.title, version: renamed.version };
}
