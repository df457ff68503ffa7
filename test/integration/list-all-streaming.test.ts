import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { kaggleAnimes } from '../../catalogue/profiles/kaggle-animes';
import { type CatalogueStore, openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { writeDataset } from '../../etl/generate';
import { loadCsv } from '../../etl/load-csv';
import { listAll } from '../support/list-all';
import { listen, rawGet } from '../support/raw-http';
import { createTestApp, signedUpAdmin } from '../support/test-app';

/**
 * List-all over a catalogue larger than the entry limit: streamed from the database a chunk at a
 * time (a file database, so the stream reads its own snapshot), compressed on the fly, not cached,
 * and bounded by the client's pace rather than by the catalogue's size.
 */
// ~30 MB of JSON: well over what loopback socket buffers absorb (a few MB on each side), so a
// server that read ahead of its client would be seen reading far more than they can hold.
const ROWS = 120_000;
const LIMIT = 1024 * 1024; // about 4,000 rows of JSON: the catalogue is ~30x over it
const dir = mkdtempSync(join(tmpdir(), 'list-all-'));
const database = join(dir, 'catalogue.db');

let store: CatalogueStore;
/** Chunks the repository has handed out so far, across every stream. */
let chunksPulled = 0;
let ctx: Awaited<ReturnType<typeof createTestApp>>;
let http: Server;

beforeAll(async () => {
  const csv = join(dir, 'animes.csv');
  await writeDataset(csv, ROWS, 5);
  store = openSqliteCatalogueStore({ DATABASE_PATH: database });
  await loadCsv({ input: csv, profile: kaggleAnimes, loader: store.loader, mode: 'replace' });
  const repository = store.repository;
  // A JSON list-all is read through streamAllJson (encoded where the rows are read), CSV through streamAll.
  const streamAll = repository.streamAll.bind(repository);
  repository.streamAll = async function* (...args) {
    for await (const chunk of streamAll(...args)) {
      chunksPulled++;
      yield chunk;
    }
  };
  const streamAllJson = repository.streamAllJson.bind(repository);
  repository.streamAllJson = async function* (...args) {
    for await (const chunk of streamAllJson(...args)) {
      chunksPulled++;
      yield chunk;
    }
  };
  ctx = await createTestApp({
    store,
    // The entry limit alone: admission (a repeat before a large answer is stored) has its own test.
    env: { CACHE_ENABLED: 'true', CACHE_MAX_ENTRY_BYTES: String(LIMIT), CACHE_ADMIT_AFTER_BYTES: '0' },
  });
  http = await listen(ctx.server);
}, 120_000);
afterAll(async () => {
  await new Promise((resolve) => http?.close(resolve));
  await ctx?.platform.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ALL = { field: 'id', descending: false } as const;

/** This process's open descriptors of the database file: the shared connection's, plus one per stream reader. */
function openDatabaseHandles(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === database;
    } catch {
      return false; // closed while listing
    }
  }).length;
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
/** How many JSON bytes a served row takes, measured on a page (for turning the limit into chunks). */
async function measuredBytesPerRow(): Promise<number> {
  const page = await request(ctx.server).get('/animes?limit=100').expect(200);
  return JSON.stringify(page.body.items).length / page.body.items.length;
}
let streamedEtag = '';

/** Chunks pulled from the repository while a client that read one piece of the body stood still. */
function pulledWhileClientPauses(server: Server): Promise<number> {
  const address = server.address() as AddressInfo;
  const before = chunksPulled;
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: address.port,
        path: '/animes/all',
        headers: { 'accept-encoding': 'identity' },
      },
      (res) => {
        res.once('data', () => {
          res.pause();
          setTimeout(() => {
            const pulled = chunksPulled - before;
            req.destroy();
            resolve(pulled);
          }, 1000);
        });
      },
    );
    req.on('error', (error) => (error.message.includes('socket hang up') ? undefined : reject(error)));
    req.end();
  });
}

describe('list-all above the entry limit', () => {
  it('streams every row exactly once, in order, in every encoding, and says it was not cached', async () => {
    const expected = JSON.stringify(await listAll(store.repository, {}, ALL));
    expect(expected.length).toBeGreaterThan(20 * LIMIT);
    for (const encoding of ['identity', 'gzip', 'br']) {
      const res = await rawGet(http, '/animes/all', { 'accept-encoding': encoding });
      expect(res.status).toBe(200);
      const raw = res.body;
      const text = (
        encoding === 'gzip' ? gunzipSync(raw) : encoding === 'br' ? brotliDecompressSync(raw) : raw
      ).toString();
      expect([encoding, text.length]).toEqual([encoding, expected.length]);
      expect(text === expected).toBe(true);
      expect(res.headers['cache-status']).toBe('anime-api; fwd=miss; detail=too-large');
      streamedEtag = String(res.headers.etag);
      expect(res.headers['content-length']).toBeUndefined(); // sent as it is produced
      if (encoding !== 'identity') expect(res.headers['content-encoding']).toBe(encoding);
    }
  }, 60_000);

  it('still answers If-None-Match with 304 (its validator is the generations, not the body)', async () => {
    expect(streamedEtag).toMatch(/^"/);
    await request(ctx.server).get('/animes/all').set('If-None-Match', streamedEtag).expect(304);
  });

  it('buffers and caches a list-all under the limit, as before', async () => {
    const first = await request(ctx.server).get('/animes/all?type=MUSIC&yearFrom=2015').expect(200);
    expect(first.body.length).toBeGreaterThan(0);
    expect(first.headers['cache-status']).toBe('anime-api; fwd=miss; stored');
    const second = await request(ctx.server).get('/animes/all?type=MUSIC&yearFrom=2015').expect(200);
    expect(second.headers['cache-status']).toBe('anime-api; hit');
    expect(second.body).toEqual(first.body);
  });

  it('reads no further ahead than a slow client takes: memory follows the client, not the catalogue', async () => {
    const totalChunks = Math.ceil(ROWS / 500);
    const pulled = await pulledWhileClientPauses(http);
    // Socket and stream buffers hold a few MB of chunks, whatever the catalogue's size.
    expect(pulled).toBeGreaterThan(0);
    expect(pulled).toBeLessThan(totalChunks / 3);
    // Negative control: with the limit above the catalogue's size the body is built first, as
    // every list-all was before streaming: every row is read before the first byte is sent.
    const buffering = await createTestApp({
      store,
      env: {
        CACHE_ENABLED: 'true',
        CACHE_MAX_ENTRY_BYTES: String(256 * LIMIT),
        CACHE_ADMIT_AFTER_BYTES: '0',
      },
    });
    const bufferingHttp = await listen(buffering.server);
    try {
      expect(await pulledWhileClientPauses(bufferingHttp)).toBe(totalChunks);
    } finally {
      await new Promise((resolve) => bufferingHttp.close(resolve));
      await buffering.platform.close();
    }
  }, 60_000);

  it('stops reading the database when the client hangs up', async () => {
    const address = http.address() as AddressInfo;
    const before = chunksPulled;
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: address.port, path: '/animes/all' }, (res) => {
        res.once('data', () => req.destroy());
        res.on('close', () => resolve());
      });
      req.on('error', () => undefined);
      req.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const settled = chunksPulled;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(chunksPulled).toBe(settled); // nothing reads on for a client that is gone
    expect(settled - before).toBeLessThan(Math.ceil(ROWS / 500) / 3);
    // And the server is fine: the next list-all is whole.
    const next = await request(ctx.server).get('/animes/all?type=OVA').expect(200);
    expect(next.body.length).toBeGreaterThan(0);
  }, 30_000);

  /** Chunks pulled before the first byte of a list-all reached the client. */
  function chunksBeforeFirstByte(server: Server, path = '/animes/all'): Promise<number> {
    const address = server.address() as AddressInfo;
    const before = chunksPulled;
    return new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: address.port, path }, (res) => {
        res.once('data', () => {
          resolve(chunksPulled - before);
          req.destroy();
        });
      });
      req.on('error', (error) => (error.message.includes('aborted') ? undefined : reject(error)));
      req.end();
    });
  }

  it('streams a list it already knows to be too large from the first chunk; a write makes it measure again', async () => {
    const limitChunks = Math.ceil(LIMIT / ((await measuredBytesPerRow()) * 500));
    // Known too large under the current generations (the tests above streamed it): nothing buffered.
    expect(await chunksBeforeFirstByte(http)).toBeLessThanOrEqual(2);
    const auth = await signedUpAdmin(ctx.server, 'streaming-admin@example.test');
    const current = await request(ctx.server).get('/animes/1').expect(200);
    await request(ctx.server)
      .patch('/animes/1')
      .set(auth)
      .set('If-Match', `"${current.body.version}"`)
      .send({ episodes: (current.body.episodes ?? 0) + 1 })
      .expect(200);
    // New generations: the first request buffers up to the entry limit again, then streams.
    expect(await chunksBeforeFirstByte(http)).toBeGreaterThanOrEqual(limitChunks);
    await settle();
    expect(await chunksBeforeFirstByte(http)).toBeLessThanOrEqual(2);
  }, 60_000);

  it('without a cache, streams anything over 64 KiB from the first chunk and buffers small lists with their ETag', async () => {
    const uncached = await createTestApp({ store, env: { CACHE_ENABLED: 'false' } });
    const uncachedHttp = await listen(uncached.server);
    try {
      // The default entry limit (8 MiB) would be about 64 chunks buffered first; what is pulled now
      // is the stream's read-ahead.
      expect(await chunksBeforeFirstByte(uncachedHttp)).toBeLessThan(8);
      const small = await request(uncached.server)
        .get('/animes/all?type=MUSIC&yearFrom=2015&minScore=8')
        .set('Accept-Encoding', 'identity')
        .expect(200);
      expect(small.body.length).toBeGreaterThan(0);
      expect(Number(small.headers['content-length'])).toBeLessThan(64 * 1024);
      expect(small.headers.etag).toMatch(/^"/);
    } finally {
      await new Promise((resolve) => uncachedHttp.close(resolve));
      await uncached.platform.close();
    }
  }, 60_000);

  it('releases its database reader after a HEAD in every encoding and after a full read', async () => {
    const baseline = openDatabaseHandles();
    for (const encoding of ['identity', 'gzip', 'br']) {
      const head = await request(ctx.server).head('/animes/all').set('Accept-Encoding', encoding).expect(200);
      expect(head.headers['cache-status']).toContain('detail=too-large');
      await settle();
      expect([encoding, openDatabaseHandles()]).toEqual([encoding, baseline]);
    }
    await request(ctx.server).get('/animes/all').expect(200);
    await settle();
    expect(openDatabaseHandles()).toBe(baseline);
  }, 60_000);
});
