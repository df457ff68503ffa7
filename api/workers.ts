import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

export interface WorkerPoolProps {
  /** Workers to keep running. */
  readonly count: number;
  /** What each worker has to drain in; the pool gives up (SIGKILL) a second after it. */
  readonly shutdownTimeoutMs: number;
  readonly log: Logger;
  /** Settings every worker gets on top of this process's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** A worker that dies sooner than this after its start is not replaced: the pool stops. @default 5000 */
  readonly crashLoopMs?: number;
}

/**
 * The primary of a node:cluster: `count` workers share the one listening port (the primary hands
 * connections out in turn). A worker that dies is replaced, unless it died right after its start,
 * which a replacement would only repeat. SIGTERM or SIGINT stops every worker with SIGTERM (each
 * drains its own requests, as one process does) and exits once all have, 0 if the stop was asked for.
 */
export function runWorkerPool(props: WorkerPoolProps): void {
  const { log } = props;
  const crashLoopMs = props.crashLoopMs ?? 5000;
  const running = new Map<Worker, number>();
  let stopping = false;
  let exitCode = 0;

  const fork = () => running.set(cluster.fork(props.env), Date.now());
  const stop = (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    log.info({ reason, workers: running.size }, 'shutting down: stopping the workers');
    for (const worker of running.keys()) worker.process.kill('SIGTERM');
    const force = setTimeout(() => {
      log.error('workers did not stop in time; exiting');
      for (const worker of running.keys()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, props.shutdownTimeoutMs + 1000);
    force.unref();
    if (running.size === 0) process.exit(exitCode);
  };

  cluster.on('exit', (worker, code, signal) => {
    const startedAt = running.get(worker) ?? 0;
    running.delete(worker);
    if (stopping) {
      if (running.size === 0) {
        log.info('stopped');
        process.exit(exitCode);
      }
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, 'a worker exited');
    if (Date.now() - startedAt < crashLoopMs) {
      stop(
        `a worker died within ${crashLoopMs} ms of its start; fix the cause (its log says it) and start again`,
        1,
      );
      return;
    }
    fork();
  });
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGINT', () => stop('SIGINT', 0));
  for (let i = 0; i < props.count; i++) fork();
  log.info({ workers: props.count }, 'worker pool started');
}
