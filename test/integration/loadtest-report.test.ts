import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadtestResult, renderHtml } from '../bench/loadtest-report';
import { CHROMIUM_PATH, launchChromium } from '../support/chromium';
import { ROOT } from '../support/cli';
import { describeIf, requireBinary } from '../support/real-component';

const committed = join(ROOT, 'docs', 'benchmarks', 'loadtest.json');

const sample: LoadtestResult = {
  date: '2026-11-26',
  machine: 'test machine',
  seconds: 1,
  command: 'npm run loadtest',
  scenarios: [
    {
      group: 'a',
      name: 'scenario <one>',
      result: { requestsPerSecond: 900, p50Ms: 3, p99Ms: 12, non2xx: 0 },
    },
    {
      group: 'a',
      name: 'scenario two',
      result: { requestsPerSecond: 5, p50Ms: 500, p99Ms: 1500, non2xx: 0 },
    },
  ],
  ratios: [{ name: 'ours ÷ bare', value: 0.8, target: '≥ 0.5' }],
  stale: [{ target: 'nginx', writes: 20, staleReads: 20 }],
  herd: { keys: 3, requests: 60, instances: 2, databaseQueries: 3, redisPausedQueries: 6 },
};

describeIf(requireBinary(CHROMIUM_PATH, 'the load-test report rendering test'))(
  'load-test HTML report',
  () => {
    const cases: [string, LoadtestResult][] = [['a sample result', sample]];
    if (existsSync(committed))
      cases.push(['the committed result', JSON.parse(readFileSync(committed, 'utf8'))]);
    it.each(cases)(
      'renders %s in headless Chromium: three charts, one bar per scenario, nothing loaded from outside',
      async (_n, result) => {
        const browser = await launchChromium();
        try {
          const page = await browser.newPage();
          const requests: string[] = [];
          page.on('request', (r) => requests.push(r.url()));
          await page.setContent(renderHtml(result), { waitUntil: 'load' });
          expect(await page.title()).toBe('anime-platform load test');
          for (const id of ['throughput', 'p50', 'p99']) {
            const bars = await page.locator(`svg#${id} rect.bar`).count();
            expect(bars).toBe(result.scenarios.length);
            const box = await page.locator(`svg#${id}`).boundingBox();
            expect(box?.width).toBeGreaterThan(300);
            expect(box?.height).toBeGreaterThan(40);
          }
          expect(await page.locator('body').textContent()).toContain(result.scenarios[0]!.name);
          expect((await page.screenshot()).length).toBeGreaterThan(10_000);
          expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
        } finally {
          await browser.close();
        }
      },
      60_000,
    );
  },
);
