import type Router from '@koa/router';
import type { Authorize } from '../authentication';

/** What /metrics serves: Prometheus text (prom-client's registry). */
export interface MetricsRegistry {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** GET /metrics, admin-only, for people who self-host (METRICS_PORT serves it on a private port instead). */
export function mountMetrics(router: Router, registry: MetricsRegistry, authorize: Authorize): void {
  router.get('/metrics', async (ctx) => {
    await authorize(ctx, 'admin');
    ctx.set('Cache-Control', 'no-store');
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
}
