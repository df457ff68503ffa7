import { SharedReads } from '../../platform/core/cache/shared-reads';

/** A read the test finishes by hand, counting how often it was started. */
function controlledRead() {
  const started: ((value: string) => void)[] = [];
  const failures: ((error: Error) => void)[] = [];
  return {
    read: () =>
      new Promise<string>((resolve, reject) => {
        started.push(resolve);
        failures.push(reject);
      }),
    started,
    failures,
  };
}

const immediate = () => new Promise((resolve) => setImmediate(resolve));
/**
 * Lets deferred reads start: they begin on an immediate queued after their data-version read, so
 * two turns of the check phase are enough whatever the machine's load (a timer is not: under load
 * it can fire before the immediates).
 */
const settle = async () => {
  await immediate();
  await immediate();
};

describe('shared reads while the cache is bypassed', () => {
  it('gives concurrent requests for one key one database read', async () => {
    const shared = new SharedReads(async () => 7);
    const db = controlledRead();
    const herd = Promise.all(Array.from({ length: 30 }, () => shared.run('animes:all|type=OVA', db.read)));
    await settle();
    expect(db.started).toHaveLength(1);
    db.started[0]!('rows');
    expect(await herd).toEqual(Array(30).fill('rows'));
    expect(shared.inFlight).toBe(0);
  });

  it('keeps different keys apart', async () => {
    const shared = new SharedReads(async () => 1);
    const db = controlledRead();
    const reads = ['a', 'b', 'a'].map((key) => shared.run(key, db.read));
    await settle();
    expect(db.started).toHaveLength(2);
    for (const finish of db.started) finish('x');
    await Promise.all(reads);
  });

  it('never lets a request that arrives after a write join a read that began before it', async () => {
    let version = 1;
    const shared = new SharedReads(async () => version);
    const db = controlledRead();
    const before = shared.run('k', db.read);
    await settle();
    version = 2; // a write commits and is acknowledged
    const after = shared.run('k', db.read);
    await settle();
    expect(db.started).toHaveLength(2);
    db.started[0]!('old rows');
    db.started[1]!('new rows');
    expect([await before, await after]).toEqual(['old rows', 'new rows']);
  });

  it('reads again once the shared read has settled, and does not keep a failure', async () => {
    const shared = new SharedReads(async () => 3);
    const db = controlledRead();
    const first = [shared.run('k', db.read), shared.run('k', db.read)];
    await settle();
    db.failures[0]!(new Error('database unreachable'));
    for (const read of first) await expect(read).rejects.toThrow('database unreachable');
    const next = shared.run('k', db.read);
    await settle();
    expect(db.started).toHaveLength(2);
    db.started[1]!('rows');
    expect(await next).toBe('rows');
  });
});
