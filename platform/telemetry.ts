// Every exporter and instrumentation is loaded only in the branch that uses it: with telemetry off
// (the default) none is, which keeps ~60 MB of modules out of the process.
const koaInstrumentation = () =>
  new (
    require('@opentelemetry/instrumentation-koa') as typeof import('@opentelemetry/instrumentation-koa')
  ).KoaInstrumentation();

export type TelemetryMode = 'azure-monitor' | 'otlp' | 'off';

export interface TelemetryHandle {
  readonly mode: TelemetryMode;
  /** Flushes and stops exporting (graceful shutdown). */
  shutdown(): Promise<void>;
}

function managedIdentity(env: NodeJS.ProcessEnv) {
  const { ManagedIdentityCredential } = require('@azure/identity') as typeof import('@azure/identity');
  return env.AZURE_CLIENT_ID
    ? new ManagedIdentityCredential({ clientId: env.AZURE_CLIENT_ID })
    : new ManagedIdentityCredential();
}

/**
 * Starts OpenTelemetry before anything else is imported (the instrumentations patch http and koa
 * as they load): Azure Monitor when APPLICATIONINSIGHTS_CONNECTION_STRING is set, else OTLP when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, else nothing at all, and no network attempts.
 */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): TelemetryHandle {
  if (env.APPLICATIONINSIGHTS_CONNECTION_STRING) {
    const { shutdownAzureMonitor, useAzureMonitor } =
      require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
    const { registerInstrumentations } =
      require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
    useAzureMonitor({
      azureMonitorExporterOptions: {
        connectionString: env.APPLICATIONINSIGHTS_CONNECTION_STRING,
        // With local auth off on the Application Insights resource, ingestion takes Entra tokens only.
        ...(env.APPLICATIONINSIGHTS_AUTHENTICATION === 'managed-identity'
          ? { credential: managedIdentity(env) }
          : {}),
      },
      enableLiveMetrics: env.APPLICATIONINSIGHTS_LIVE_METRICS === 'true',
      // The distro samples at 5 traces/s by default; 0 keeps every trace (samplingRatio 1).
      ...(env.APPLICATIONINSIGHTS_TRACES_PER_SECOND
        ? { tracesPerSecond: Number(env.APPLICATIONINSIGHTS_TRACES_PER_SECOND), samplingRatio: 1 }
        : {}),
    });
    // Route names (GET /animes/:id), not URLs.
    registerInstrumentations({ instrumentations: [koaInstrumentation()] });
    return { mode: 'azure-monitor', shutdown: shutdownAzureMonitor };
  }
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
    const { OTLPTraceExporter } =
      require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    const { OTLPMetricExporter } =
      require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http');
    const { HttpInstrumentation } =
      require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
    const { PeriodicExportingMetricReader } =
      require('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
    const sdk = new NodeSDK({
      serviceName: env.OTEL_SERVICE_NAME ?? 'anime-api',
      traceExporter: new OTLPTraceExporter(),
      metricReader: new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() }),
      instrumentations: [new HttpInstrumentation(), koaInstrumentation()],
    });
    sdk.start();
    return { mode: 'otlp', shutdown: () => sdk.shutdown() };
  }
  return { mode: 'off', shutdown: async () => undefined };
}
