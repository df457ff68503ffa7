const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Target {
  readonly id: number;
  readonly type: string;
  readonly year: number;
}

/** Where a reader reads: the written row's detail, a filtered page and a list-all that contain it. */
export function readPaths(target: Target): { path: string; title: (body: unknown) => string | undefined }[] {
  type Row = { id: number; title: string };
  const find = (rows: Row[]) => rows.find((row) => row.id === target.id)?.title;
  return [
    { path: `/animes/${target.id}`, title: (body) => (body as Row).title },
    { path: `/animes?type=${target.type}&limit=3`, title: (body) => find((body as { items: Row[] }).items) },
    { path: `/animes/all?year=${target.year}`, title: (body) => find(body as Row[]) },
  ];
}

export interface ScenarioReport {
  scenario: string;
  reads: number;
  writes: number;
  stale: number;
  /** How far behind the acknowledged write the stalest read was, in writes. */
  worstLag: number;
  serverErrors: number;
  /** Reads answered from the cache (X-Cache: HIT). */
  hits: number;
  /** Requests that got no HTTP answer (only expected while an instance is down). */
  unanswered: number;
  writeP50Ms: number;
  writeP99Ms: number;
  writeMaxMs: number;
  /** From the end of the fault to the first cache hit on each instance after it (-1: none). */
  hitsResumeMs: Record<string, number>;
  /**
   * Instances whose first hit after the fault came only once the load (and its writes, which
   * keep invalidating the entries read) had stopped: found by a bounded probe of reads alone.
   */
  resumedAfterLoad: string[];
}

/** A report with nothing counted yet. */
export function emptyReport(scenario: string, hitsResumeMs: Record<string, number> = {}): ScenarioReport {
  return {
    scenario,
    reads: 0,
    writes: 0,
    stale: 0,
    worstLag: 0,
    serverErrors: 0,
    hits: 0,
    unanswered: 0,
    writeP50Ms: 0,
    writeP99Ms: 0,
    writeMaxMs: 0,
    hitsResumeMs,
    resumedAfterLoad: [],
  };
}

export interface WorkloadOptions {
  readonly scenario: string;
  readonly urls: () => Record<string, string>;
  readonly writeTo: () => string;
  readonly token: string;
  readonly target: Target;
  readonly readersPerInstance: number;
  readonly durationMs: number;
  /** Runs while the load goes on; resolves when the fault is over (its time is the recovery start). */
  readonly fault: () => Promise<void>;
  /** @default true */
  readonly writing?: boolean;
  /**
   * Writes the title some other way than through the API (the detector's negative control: a
   * write whose acknowledgement does not wait for its invalidation). @default a PATCH
   */
  readonly writeAround?: (title: string) => void;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/**
 * Closed-loop readers on every instance and one serial writer, for a bounded time. A read is stale
 * when it began after the writer received the acknowledgement of write n and shows an older title.
 */
/** How long reads alone may take to find a hit on an instance that had none during the load. */
const AFTER_LOAD_PROBE_MS = 5000;

export async function runWorkload(options: WorkloadOptions): Promise<ScenarioReport> {
  const prefix = `${options.scenario}-`;
  const versionOf = (title: string | undefined) =>
    title?.startsWith(prefix) ? Number(title.slice(prefix.length)) : 0;
  const started = performance.now();
  const end = started + options.durationMs;
  let acknowledged = 0;
  let faultOverAt = Number.POSITIVE_INFINITY;
  const report = emptyReport(options.scenario);
  const writeLatencies: number[] = [];
  const paths = readPaths(options.target);

  const reader = async (instance: string, index: number) => {
    for (let i = index; performance.now() < end; i++) {
      const { path, title } = paths[i % paths.length]!;
      const floor = acknowledged;
      try {
        const res = await fetch(options.urls()[instance] + path, { signal: AbortSignal.timeout(5000) });
        if (res.status >= 500) report.serverErrors++;
        if (!res.ok) {
          await res.arrayBuffer();
          continue;
        }
        const seen = versionOf(title(await res.json()));
        report.reads++;
        if (seen < floor) {
          report.stale++;
          report.worstLag = Math.max(report.worstLag, floor - seen);
        }
        if (res.headers.get('x-cache') === 'HIT') report.hits++;
        if (
          res.headers.get('x-cache') === 'HIT' &&
          performance.now() > faultOverAt &&
          report.hitsResumeMs[instance] === -1
        ) {
          report.hitsResumeMs[instance] = Math.round(performance.now() - faultOverAt);
        }
      } catch {
        report.unanswered++;
        await sleep(20);
      }
    }
  };

  const writer = async () => {
    for (let n = 1; performance.now() < end; n++) {
      const sent = performance.now();
      if (options.writeAround) {
        options.writeAround(`${prefix}${n}`);
        acknowledged = n;
        report.writes++;
        writeLatencies.push(performance.now() - sent);
        await sleep(25);
        continue;
      }
      try {
        const res = await fetch(`${options.writeTo()}/animes/${options.target.id}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ title: `${prefix}${n}` }),
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        if (res.status >= 500) report.serverErrors++;
        if (res.ok) {
          acknowledged = n;
          report.writes++;
          writeLatencies.push(performance.now() - sent);
        }
      } catch {
        report.unanswered++;
      }
      await sleep(25);
    }
  };

  const instances = Object.keys(options.urls());
  for (const instance of instances) report.hitsResumeMs[instance] = -1;
  const fault = options.fault().then(() => {
    faultOverAt = performance.now();
  });
  await Promise.all([
    ...instances.flatMap((instance) =>
      Array.from({ length: options.readersPerInstance }, (_, i) => reader(instance, i)),
    ),
    ...(options.writing === false ? [] : [writer()]),
    fault,
  ]);
  // An instance that writes in a loop invalidates the very entries its readers want, so on a slow
  // machine its first hit can fall after the load: probe with reads alone, bounded, and say so.
  for (const instance of instances) {
    if (report.hitsResumeMs[instance] !== -1 || faultOverAt === Number.POSITIVE_INFINITY) continue;
    const probeUntil = performance.now() + AFTER_LOAD_PROBE_MS;
    for (let i = 0; performance.now() < probeUntil; i++) {
      const { path } = paths[i % paths.length]!;
      const res = await fetch(options.urls()[instance] + path, { signal: AbortSignal.timeout(5000) }).catch(
        () => undefined,
      );
      await res?.arrayBuffer();
      if (res?.headers.get('x-cache') === 'HIT') {
        report.hitsResumeMs[instance] = Math.round(performance.now() - faultOverAt);
        report.resumedAfterLoad.push(instance);
        break;
      }
      await sleep(20);
    }
  }
  writeLatencies.sort((x, y) => x - y);
  report.writeP50Ms = Math.round(percentile(writeLatencies, 0.5) * 10) / 10;
  report.writeP99Ms = Math.round(percentile(writeLatencies, 0.99) * 10) / 10;
  report.writeMaxMs = Math.round((writeLatencies[writeLatencies.length - 1] ?? 0) * 10) / 10;
  return report;
}

export { sleep };
