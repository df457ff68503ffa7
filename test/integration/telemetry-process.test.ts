import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { spawnTs } from '../support/cli';
import { freePort } from '../support/redis-server';

/** Starts api/main.ts on a small generated dataset; resolves once it answers /ready. */
async function startApi(env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(join(tmpdir(), 'anime-telemetry-'));
  const port = await freePort();
  const networkLog = join(dir, 'network.log');
  writeFileSync(networkLog, '');
  const child = spawnTs('api/main.ts', [], {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_PATH: join(dir, 'anime.db'),
    SEED_FILE: join(dir, 'animes.csv'),
    SEED_ROWS: '100',
    LOG_LEVEL: 'info',
    APPLICATIONINSIGHTS_CONNECTION_STRING: '',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    RECORD_NETWORK_FILE: networkLog,
    NODE_OPTIONS: `--require ${join(__dirname, '..', 'support', 'record-network.cjs')}`,
    ...env,
  });
  let output = '';
  child.stdout?.on('data', (c) => {
    output += c;
  });
  child.stderr?.on('data', (c) => {
    output += c;
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`api exited: ${output}`);
    if (
      await fetch(`${base}/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  return { base, stop, output: () => output, network: () => readFileSync(networkLog, 'utf8') };
}

describe('telemetry in a real API process', () => {
  it('with telemetry off, makes no network attempts at all', async () => {
    const api = await startApi({});
    await fetch(`${api.base}/animes?limit=3`).then((r) => r.json());
    await fetch(`${api.base}/animes/2`);
    const network = api.network();
    const output = api.output();
    await api.stop();
    expect(output).toContain('"telemetry":"off"');
    expect(network).toBe('');
  }, 60_000);

  it('with OTLP, exports spans named by route to a collector on loopback', async () => {
    const bodies: string[] = [];
    const collector: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        if (req.url === '/v1/traces') bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const collectorPort = await freePort();
    await new Promise<void>((r) => collector.listen(collectorPort, '127.0.0.1', r));
    const api = await startApi({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    await fetch(`${api.base}/animes/2`);
    await fetch(`${api.base}/animes/3`);
    const network = api.network();
    await api.stop(); // SIGTERM flushes the exporters
    const output = api.output();
    collector.close();
    expect(output).toContain('"telemetry":"otlp"');
    expect(network).toBe('');
    const names = bodies.flatMap((body) =>
      (
        JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] }
      ).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.name))),
    );
    // Requests are named by route, not by URL.
    expect(names.filter((n) => n === 'GET /animes/:id')).toHaveLength(2);
    expect(names.filter((n) => /\/animes\/\d/.test(n))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['cache.lookup', 'db.getById', 'serialize']));
  }, 60_000);

  it('with Azure Monitor, sends request telemetry named by route to the ingestion endpoint', async () => {
    // The exporter only speaks HTTPS: a self-signed ingestion endpoint on loopback, trusted by the child.
    const dir = mkdtempSync(join(tmpdir(), 'anime-ingestion-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const bodies: string[] = [];
    const ingestion = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
          const raw = Buffer.concat(chunks);
          bodies.push((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString());
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end('{"itemsReceived":1,"itemsAccepted":1,"errors":[]}');
        });
      },
    );
    const port = await freePort();
    await new Promise<void>((r) => ingestion.listen(port, '127.0.0.1', r));
    const api = await startApi({
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:${port}/`,
      // Otherwise the SDK keeps reporting its own usage to Azure.
      APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
      APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      APPLICATIONINSIGHTS_TRACES_PER_SECOND: '0',
      NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'),
    });
    await fetch(`${api.base}/animes/4`);
    for (let i = 0; i < 150 && !bodies.join('').includes('GET /animes/:id'); i++)
      await new Promise((r) => setTimeout(r, 100));
    const network = api.network();
    await api.stop();
    ingestion.close();
    rmSync(dir, { recursive: true, force: true });
    expect(api.output()).toContain('"telemetry":"azure-monitor"');
    // The distro's Azure VM resource detector asks the instance metadata service; nothing else leaves.
    expect(network.split('\n').filter((l) => l && !l.startsWith('169.254.169.254:'))).toEqual([]);
    const text = bodies.join('\n');
    expect(text).toContain('RequestData');
    expect(text).toContain('GET /animes/:id');
  }, 60_000);
});
