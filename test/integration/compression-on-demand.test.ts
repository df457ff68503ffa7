import zlib from 'node:zlib';
import request from 'supertest';
import { createTestApp } from '../support/test-app';

/** Counts each zlib compressor called while `run` runs: a request pays only for what it needs. */
async function compressions(run: () => Promise<unknown>) {
  const names = ['gzipSync', 'brotliCompressSync', 'gzip', 'brotliCompress'] as const;
  const spies = names.map((name) => jest.spyOn(zlib, name));
  try {
    await run();
    return Object.fromEntries(names.map((name, i) => [name, spies[i]!.mock.calls.length]));
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

const PAGE = '/animes?limit=40';
const NONE = { gzipSync: 0, brotliCompressSync: 0, gzip: 0, brotliCompress: 0 };

describe('compression on demand', () => {
  it('an uncached read compresses only the coding the client accepts, and nothing without one', async () => {
    const { server, platform } = await createTestApp({ env: { CACHE_ENABLED: 'false' } });
    try {
      const identity = await compressions(() =>
        request(server).get(PAGE).set('Accept-Encoding', 'identity').expect(200),
      );
      expect(identity).toEqual(NONE);
      const gzipped = await compressions(async () => {
        const res = await request(server).get(PAGE).set('Accept-Encoding', 'gzip').expect(200);
        expect(res.headers['content-encoding']).toBe('gzip');
      });
      expect(gzipped).toEqual({ ...NONE, gzipSync: 1 });
    } finally {
      await platform.close();
    }
  });

  it('a cache fill stores both codings off the event loop, so no hit compresses', async () => {
    const { server, platform } = await createTestApp({ env: { CACHE_ENABLED: 'true' } });
    try {
      const fill = await compressions(async () => {
        const res = await request(server).get(PAGE).set('Accept-Encoding', 'identity').expect(200);
        expect(res.headers['x-cache']).toBe('MISS');
      });
      // The thread-pool compressors, once each; none on the loop.
      expect(fill).toEqual({ ...NONE, gzip: 1, brotliCompress: 1 });
      for (const coding of ['br', 'gzip', 'identity']) {
        const hit = await compressions(async () => {
          const res = await request(server).get(PAGE).set('Accept-Encoding', coding).expect(200);
          expect(res.headers['x-cache']).toBe('HIT');
          expect(res.headers['content-encoding']).toBe(coding === 'identity' ? undefined : coding);
        });
        expect(hit).toEqual(NONE);
      }
    } finally {
      await platform.close();
    }
  });
});
