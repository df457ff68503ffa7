import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
import { BENCH_BOOTSTRAP_TOKEN } from './processes';

/** Seconds per measured run (BENCH_SECONDS overrides). */
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

export interface Throughput {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

/** wrk for multi-megabyte bodies: it does not parse them, so it is not the bottleneck. */
export function wrk(url: string, connections = 4): Throughput {
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${SECONDS}s`, '--latency', url], {
    encoding: 'utf8',
  });
  const ms = (label: string) => {
    const m = new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) return Number.NaN;
    const value = Number(m[1]);
    return m[2] === 'us' ? value / 1000 : m[2] === 's' ? value * 1000 : value;
  };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50Ms: ms('50'),
    p99Ms: ms('99'),
    non2xx,
  };
}

/** autocannon's programmatic API for small bodies. */
export async function cannon(options: autocannon.Options): Promise<Throughput> {
  const result = await autocannon({ connections: 8, duration: SECONDS, ...options });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
  };
}

/**
 * An admin's token on an instance started by startApi: signs up (or finds the account), signs in and
 * claims the first admin with the bench bootstrap token; a 409 means an admin exists, maybe this one.
 */
export async function adminToken(api: string, email: string, password: string): Promise<string> {
  const post = (path: string, body: object, token?: string) =>
    fetch(api + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  await post('/auth/signup', { email, password });
  const signin = await post('/auth/signin', { email, password });
  const { accessToken } = (await signin.json()) as { accessToken: string };
  const claim = await post('/auth/admin-bootstrap', { token: BENCH_BOOTSTRAP_TOKEN }, accessToken);
  if (claim.status !== 200 && claim.status !== 409) throw new Error(`admin bootstrap: ${claim.status}`);
  return accessToken;
}

export async function mixedLoad(api: string, token: string): Promise<Throughput> {
  const reads = ['/animes?type=OVA&limit=50', '/animes?type=TV&limit=50', '/animes/7', '/genres', '/stats'];
  // 19 reads, then 1 write: 95% / 5%. Writes touch TV rows, so TV entries really are invalidated.
  const requests: autocannon.Request[] = Array.from({ length: 19 }, (_, i) => ({
    method: 'GET',
    path: reads[i % reads.length]!,
  }));
  let n = 0;
  requests.push({
    method: 'PATCH',
    path: '/animes/7',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ episodes: (n++ % 500) + 1 }) }),
  });
  return cannon({ url: api, requests, connections: 4 });
}
