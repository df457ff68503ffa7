import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { adminToken } from '../bench/load-tools';
import { type BenchProcess, seedCatalogue, startApi } from '../bench/processes';
import { FaultProxy } from '../support/fault-proxy';
import { RedisServer } from '../support/redis-server';

export type InstanceName = 'A' | 'B';

const ADMIN = 'chaos-admin@example.test';
const PASSWORD = 'chaos-password-1';

/**
 * Two API instances over one SQLite file and one redis-server, all on loopback, each a primary with
 * its workers. A reaches Redis through a fault proxy, B directly, so a fault can hit Redis for
 * everyone or A's link alone. Killing A's primary with SIGKILL ends its workers at once (a cluster
 * worker exits when it loses its primary), as a crash of the container would.
 */
export class ChaosCluster {
  private readonly instances: Record<InstanceName, BenchProcess>;
  token = '';

  private constructor(
    readonly redis: RedisServer,
    readonly proxy: FaultProxy,
    private readonly database: string,
    private readonly jwtSecret: string,
    a: BenchProcess,
    b: BenchProcess,
  ) {
    this.instances = { A: a, B: b };
  }

  static async start(dir: string): Promise<ChaosCluster> {
    const database = await seedCatalogue(dir);
    const redis = await RedisServer.start();
    const proxy = await FaultProxy.start(redis.port);
    const jwtSecret = randomBytes(32).toString('base64url');
    const [a, b] = await Promise.all([
      ChaosCluster.launch(database, proxy.url, jwtSecret),
      ChaosCluster.launch(database, redis.url, jwtSecret),
    ]);
    const cluster = new ChaosCluster(redis, proxy, database, jwtSecret, a, b);
    cluster.token = await adminToken(a.url, ADMIN, PASSWORD);
    return cluster;
  }

  /** Each instance is a cluster of CHAOS_WORKERS workers (each with its own L1 and lease). @default 2 */
  private static launch(database: string, redisUrl: string, jwtSecret: string): Promise<BenchProcess> {
    return startApi({
      database,
      redisUrl,
      cache: true,
      jwtSecret,
      env: { WEB_CONCURRENCY: process.env.CHAOS_WORKERS ?? '2' },
    });
  }

  url(name: InstanceName): string {
    return this.instances[name].url;
  }

  /** kill -9 of instance A, then a fresh process in its place (on a new port). */
  async crashA(): Promise<void> {
    await this.instances.A.crash();
  }

  async restartA(): Promise<void> {
    this.instances.A = await ChaosCluster.launch(this.database, this.proxy.url, this.jwtSecret);
  }

  async stop(): Promise<void> {
    await Promise.all(Object.values(this.instances).map((instance) => instance.stop()));
    await this.proxy.close();
    await this.redis.kill();
  }
}

/**
 * A child process that keeps one core busy, so the API processes' event loops lag as on a loaded
 * production host. It ends itself after `maxSeconds` even if nobody stops it.
 */
export function startCpuBurner(maxSeconds: number): { stop(): void } {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-e', `const end = Date.now() + ${maxSeconds * 1000}; while (Date.now() < end) {}`],
    { stdio: 'ignore' },
  );
  return {
    stop: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
