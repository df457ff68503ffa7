import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './redis-server';

/**
 * A real 3-master Redis cluster on loopback: three `redis-server --cluster-enabled yes` processes
 * joined by `redis-cli --cluster create`, persistence off, each stopped by its PID.
 */
export class RedisCluster {
  private constructor(
    private readonly nodes: ChildProcess[],
    readonly ports: number[],
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.ports[0]}`;
  }

  static async start(): Promise<RedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'anime-redis-cluster-'));
    const ports = [await freePort(), await freePort(), await freePort()];
    const nodes = ports.map((port) =>
      spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
        ],
        { stdio: 'ignore' },
      ),
    );
    const cluster = new RedisCluster(nodes, ports, dir);
    try {
      for (const port of ports) await waitForPing(port);
      execFileSync(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...ports.map((p) => `127.0.0.1:${p}`),
          '--cluster-replicas',
          '0',
          '--cluster-yes',
        ],
        { stdio: 'ignore', timeout: 30_000 },
      );
      await waitForClusterOk(ports[0]!);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map((node) => {
        if (node.exitCode !== null) return undefined;
        const exited = new Promise((r) => node.once('exit', r));
        node.kill('SIGKILL');
        return exited;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function waitForPing(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      probe.disconnect();
    }
  }
  throw new Error(`redis-server on ${port} did not start`);
}

async function waitForClusterOk(port: number): Promise<void> {
  const probe = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0 });
  try {
    for (let attempt = 0; attempt < 100; attempt++) {
      if ((await probe.cluster('INFO')).includes('cluster_state:ok')) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the cluster did not reach cluster_state:ok');
  } finally {
    probe.disconnect();
  }
}
