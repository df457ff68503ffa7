import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHROMIUM_PATH, launchChromium } from '../support/chromium';
import { listen } from '../support/raw-http';
import { describeIf, requireBinary } from '../support/real-component';
import { createTestApp } from '../support/test-app';

const hasChromium = requireBinary(CHROMIUM_PATH, 'the /docs browser test');

describeIf(hasChromium)('interactive docs in headless Chromium', () => {
  let ctx: Awaited<ReturnType<typeof createTestApp>>;
  let server: Server;
  beforeAll(async () => {
    ctx = await createTestApp();
    server = await listen(ctx.server);
  });
  afterAll(async () => {
    server?.close();
    await ctx?.store.close();
  });

  it('renders every operation from /openapi.json, loading nothing from outside', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const external: string[] = [];
      page.on('request', (req) => {
        if (!req.url().startsWith('http://127.0.0.1')) external.push(req.url());
      });
      const { port } = server.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${port}/docs`);
      await page.waitForSelector('.opblock', { timeout: 20_000 });
      const summaries = await page.$$eval('.opblock-summary-path', (nodes) =>
        nodes.map((n) => n.textContent?.trim()),
      );
      expect(new Set(summaries)).toEqual(
        new Set([
          '/animes',
          '/animes/all',
          '/animes/{id}',
          '/auth/admin-bootstrap',
          '/auth/me',
          '/auth/password',
          '/auth/refresh',
          '/auth/signin',
          '/auth/signout',
          '/auth/signup',
          '/auth/token',
          '/genres',
          '/types',
          '/stats',
          '/health',
          '/ready',
          '/admin/users',
          '/admin/users/{uid}',
        ]),
      );
      expect(external.filter((url) => !url.startsWith('data:'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
