import { startTelemetry } from '../platform/telemetry';

/** Imported first by api/main.ts: telemetry must start before http and koa are loaded. */
export const telemetry = startTelemetry();
