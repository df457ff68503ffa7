import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { SECONDS } from './load-tools';
import { seedCatalogue, startApi } from './processes';
import { machine, round, writeSection } from './report';

const PASSWORD = randomBytes(12).toString('hex');
const FLOOD_CONNECTIONS = 32;
const UNBOUNDED = { PASSWORD_HASH_CONCURRENCY: '1000000', PASSWORD_HASH_MAX_WAITING: '1000000' };
const NO_FAIR_SHARE = { AUTH_IN_FLIGHT_PER_CLIENT: '1000000' };

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

/** One request from `localAddress`: the legitimate user is another client than the flood's 127.0.0.1. */
function timed(
  url: string,
  init?: RequestInit,
  localAddress = '127.0.0.2',
): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: init?.method ?? 'GET', headers: init?.headers as Record<string, string>, localAddress },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0 }));
      },
    );
    req.on('error', reject);
    req.end(init?.body as string | undefined);
  });
}

/** A real user signing in, one attempt after another, until `stop` says so. */
async function probe(url: string, init: RequestInit | undefined, stop: () => boolean, pauseMs: number) {
  const samples: { ms: number; status: number }[] = [];
  do {
    samples.push(await timed(url, init));
    await new Promise((r) => setTimeout(r, pauseMs));
  } while (!stop());
  return samples;
}

interface Figures {
  calmSignInMs: number;
  floodSignInP50Ms: number;
  floodSignInMaxMs: number;
  floodSignInRefused: string;
  calmReadP99Ms: number;
  floodReadP99Ms: number;
  floodRefused: number;
  floodAnswered: number;
}

async function measure(database: string, env: Record<string, string>): Promise<Figures> {
  const api = await startApi({
    database,
    redisUrl: '',
    cache: true,
    jwtSecret: randomBytes(32).toString('base64url'),
    env: { AUTH_RATE_LIMIT_PER_EMAIL: '1000000', ...env },
  });
  try {
    const json = (body: object): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const legit = json({ email: 'legit@example.test', password: PASSWORD });
    await fetch(`${api.url}/auth/signup`, legit);
    const read = `${api.url}/animes?type=OVA&limit=50`;
    const calmSignIns: number[] = [];
    for (let i = 0; i < 10; i++) calmSignIns.push((await timed(`${api.url}/auth/signin`, legit)).ms);
    const calmReads: number[] = [];
    for (let i = 0; i < 100; i++) calmReads.push((await timed(read)).ms);

    let flooding = true;
    const flood = autocannon({
      url: `${api.url}/auth/signin`,
      connections: FLOOD_CONNECTIONS,
      duration: SECONDS,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'attacker@example.test', password: 'a wrong password' }),
    });
    void flood.then(() => {
      flooding = false;
    });
    await new Promise((r) => setTimeout(r, 500)); // the flood at full strength first
    const [signIns, reads] = await Promise.all([
      probe(`${api.url}/auth/signin`, legit, () => !flooding, 100),
      probe(read, undefined, () => !flooding, 20),
    ]);
    const result = await flood;
    const answered = signIns.filter((s) => s.status === 200).map((s) => s.ms);
    return {
      calmSignInMs: quantile(calmSignIns, 0.5),
      floodSignInP50Ms: quantile(answered, 0.5),
      floodSignInMaxMs: Math.max(...answered),
      floodSignInRefused: `${signIns.length - answered.length} of ${signIns.length}`,
      calmReadP99Ms: quantile(calmReads, 0.99),
      floodReadP99Ms: quantile(
        reads.map((r) => r.ms),
        0.99,
      ),
      floodRefused:
        (result.statusCodeStats?.['503']?.count ?? 0) + (result.statusCodeStats?.['429']?.count ?? 0),
      floodAnswered: result.requests.total,
    };
  } finally {
    await api.stop();
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-auth-'));
  try {
    const database = await seedCatalogue(dir);
    const before = await measure(database, { ...UNBOUNDED, ...NO_FAIR_SHARE });
    const queueOnly = await measure(database, NO_FAIR_SHARE);
    const defaults = await measure(database, {});
    const row = (name: string, f: Figures) =>
      `| ${name} | ${round(f.calmSignInMs, 0)} | ${round(f.floodSignInP50Ms, 0)} (${(f.floodSignInP50Ms / f.calmSignInMs).toFixed(1)}x) | ${round(f.floodSignInMaxMs, 0)} | ${f.floodSignInRefused} | ${f.calmReadP99Ms.toFixed(1)} | ${f.floodReadP99Ms.toFixed(1)} (${(f.floodReadP99Ms / f.calmReadP99Ms).toFixed(1)}x) | ${f.floodRefused} of ${f.floodAnswered} |`;
    const markdown = `## Sign-in flood (\`npm run bench:auth\`)

Reproduce: \`BENCH_SECONDS=${SECONDS} npm run bench:auth\`. ${machine()}. One API process at a time over the seeded catalogue; ${FLOOD_CONNECTIONS} autocannon connections send wrong-password sign-ins for ${SECONDS} s while a legitimate user at another loopback address (127.0.0.2) signs in every 100 ms and a reader fetches a cached page every 20 ms. The ratios compare each figure with the same instance's calm figure, measured just before in the same run. "Before" sets PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_MAX_WAITING and AUTH_IN_FLIGHT_PER_CLIENT to 10^6, which is how sign-in ran before issue 19; "queue only" keeps the per-client limit off. Refused attempts are 429 (fair share) plus 503 (queue full).

| sign-in admission | calm sign-in p50 ms | flood sign-in p50 ms | flood sign-in max ms | legit sign-ins refused (503) | calm read p99 ms | flood read p99 ms | flood attempts refused |
|---|---|---|---|---|---|---|---|
${row('before: unbounded, no fair share', before)}
${row('hashing queue only', queueOnly)}
${row('defaults: queue + 2 in flight per client', defaults)}
`;
    writeSection('auth', markdown);
    console.log(markdown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
