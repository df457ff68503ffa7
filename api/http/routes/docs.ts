import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Router from '@koa/router';
import type { Representation } from '../../../platform/core/cache/stored-representation';
import { jsonRepresentation } from '../json-representation';
import { sendRepresentation } from '../send-representation';
import { favicon } from './favicon';

// swagger-ui-dist ships the UI as static files; serving them ourselves keeps /docs working offline.
const ASSETS = new Map(
  ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js'].map((name) => [
    name,
    readFileSync(join(dirname(require.resolve('swagger-ui-dist/package.json')), name)),
  ]),
);

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>anime-platform API</title>
<link rel="icon" href="/favicon.ico"><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs-init.js"></script></body></html>`;
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', deepLinking: true });`;

const ICON = favicon();

/** GET /openapi.json and the interactive docs at /docs, with no CDN; / leads there. */
export function mountDocs(router: Router, openApiDocument: unknown): void {
  // Serialized and compressed when first asked for, not while the instance starts.
  let openApi: Representation | undefined;
  router.get('/', (ctx) => {
    ctx.status = 302;
    ctx.redirect('/docs');
  });
  router.get('/favicon.ico', (ctx) => {
    ctx.type = 'image/x-icon';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = ICON;
  });
  router.get('/openapi.json', (ctx) => {
    openApi ??= jsonRepresentation(openApiDocument, { precompress: true });
    sendRepresentation(ctx, openApi);
  });
  router.get('/docs', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    );
    ctx.body = PAGE;
  });
  router.get('/docs/assets/:name', (ctx) => {
    const name = ctx.params.name!;
    if (name === 'docs-init.js') {
      ctx.type = 'application/javascript';
      ctx.body = INIT;
      return;
    }
    const asset = ASSETS.get(name);
    if (!asset) return;
    ctx.type = name.endsWith('.css') ? 'text/css' : 'application/javascript';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = asset;
  });
}
