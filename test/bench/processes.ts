import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kaggleAnimes } from '../../catalogue/profiles/kaggle-animes';
import { openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { writeDataset } from '../../etl/generate';
import { loadCsv } from '../../etl/load-csv';
import { freePort } from '../support/redis-server';

export const ROOT = join(__dirname, '..', '..');

/** A TypeScript entry point in its own process (loopback only), stopped by its PID. */
export class BenchProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  /** Starts `script` with PORT set to a free loopback port; resolves once `readyPath` answers. */
  static async start(
    script: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    readyPath = '/ready',
    preload: readonly string[] = [],
    /** The checkout to run it from (an A/B's base). @default this one */
    root = ROOT,
  ): Promise<BenchProcess> {
    const port = await freePort();
    const imports = ['tsx', ...preload].flatMap((module) => ['--import', module]);
    // BENCH_CPU_PROF_DIR: each benchmarked process writes a V8 CPU profile there when it exits.
    const profile = process.env.BENCH_CPU_PROF_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
      : [];
    const child = spawn(process.execPath, [...profile, ...imports, join(root, script), ...args], {
      cwd: root,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const started = new BenchProcess(child, port);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}${readyPath}`);
        if (res.ok) return started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await started.stop();
    throw new Error(`${script} did not become ready`);
  }

  /** Sends a signal to the process (a probe's cue, say). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Kills the process at once (SIGKILL: no shutdown, as in a crash) and waits for its exit. */
  async crash(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const force = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
  }
}

/** The 20,238-row generated catalogue, loaded through the ETL into `dir`/anime.db; returns its path. */
export async function seedCatalogue(dir: string): Promise<string> {
  const csv = join(dir, 'animes.csv');
  await writeDataset(csv, 20238, 42);
  const database = join(dir, 'anime.db');
  const seed = openSqliteCatalogueStore({ DATABASE_PATH: database });
  await loadCsv({ input: csv, profile: kaggleAnimes, loader: seed.loader, mode: 'upsert' });
  await seed.close();
  return database;
}

export interface BenchApiOptions {
  readonly database: string;
  readonly redisUrl: string;
  readonly cache: boolean;
  /** Instances that must accept each other's tokens share one. */
  readonly jwtSecret: string;
  /** Settings on top of the bench defaults. */
  readonly env?: Readonly<Record<string, string>>;
  /** Modules preloaded into the server (`--import`), e.g. a probe. */
  readonly preload?: readonly string[];
  /** The checkout whose api/main.ts runs. @default this one */
  readonly root?: string;
}

/** Every bench instance takes this ADMIN_BOOTSTRAP_TOKEN; adminToken claims the first admin with it. */
export const BENCH_BOOTSTRAP_TOKEN = randomBytes(32).toString('base64url');

/** api/main.ts on loopback over a seeded database, quiet, with the per-client limits out of the way. */
export function startApi(options: BenchApiOptions): Promise<BenchProcess> {
  return BenchProcess.start(
    'api/main.ts',
    [],
    {
      HOST: '127.0.0.1',
      DATABASE_PATH: options.database,
      SEED_ON_EMPTY: 'false',
      LOG_LEVEL: 'error',
      CACHE_ENABLED: String(options.cache),
      REDIS_URL: options.redisUrl,
      JWT_SECRET: options.jwtSecret,
      ADMIN_BOOTSTRAP_TOKEN: BENCH_BOOTSTRAP_TOKEN,
      AUTH_RATE_LIMIT_PER_IP: '100000',
      // Every load generator here is one client address; the budget has its own test.
      UNCACHED_READS_PER_CLIENT: '0',
      REQUESTS_IN_FLIGHT_PER_CLIENT: '0',
      ...options.env,
    },
    '/ready',
    options.preload,
    options.root,
  );
}

/** The limit: a bare node:http server sending `file` from memory. */
export function startBaseline(file: string): Promise<BenchProcess> {
  return BenchProcess.start('test/bench/baseline-server.ts', [file], {}, '/');
}

/** nginx with proxy_cache (`workers` worker processes) in front of the API with its cache off: what a user might pick instead. */
export async function startNginx(dir: string, upstreamPort: number, workers = 1) {
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  for (const sub of ['cache', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(
    conf,
    `user root;
worker_processes ${workers};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body; proxy_temp_path ${dir}/tmp/proxy; fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi; scgi_temp_path ${dir}/tmp/scgi;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=anime:10m max_size=1g inactive=10m use_temp_path=off;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_cache anime;
      proxy_cache_key $request_uri;
      proxy_cache_valid 200 60s;
      proxy_cache_lock on;
      proxy_ignore_headers Cache-Control;
      add_header X-Cache $upstream_cache_status;
    }
  }
}
`,
  );
  const child = spawn('nginx', ['-c', conf, '-p', dir], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGQUIT');
      await exited;
    },
  };
}
