import request from 'supertest';
import { createTestApp } from '../support/test-app';

const LIMITS = { windowMs: 60_000, perIp: 5, perEmail: 1000 };

/** Ten failed sign-ins, each with the X-Forwarded-For `forwardedFor(i)`; returns the statuses. */
async function signIns(trustedProxyHops: number, forwardedFor: (i: number) => string): Promise<number[]> {
  const { server, store } = await createTestApp({ trustedProxyHops, authRateLimits: LIMITS });
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) {
    const res = await request(server)
      .post('/auth/signin')
      .set('X-Forwarded-For', forwardedFor(i))
      .send({ email: `nobody-${i}@example.test`, password: 'wrong password, long enough' });
    statuses.push(res.status);
  }
  await store.close();
  return statuses;
}

const limited = [401, 401, 401, 401, 401, 429, 429, 429, 429, 429];

describe('security: forwarding headers are believed only from trusted proxy hops', () => {
  it('with no trusted hop (the default) a rotating X-Forwarded-For does not escape the per-IP limit', async () => {
    expect(await signIns(0, (i) => `198.51.100.${i}`)).toEqual(limited);
    expect(await signIns(0, (i) => `198.51.100.${i}, 127.0.0.1`)).toEqual(limited);
  });

  it('trusting a hop that does not exist lets a client pick its address (the negative control)', async () => {
    expect(await signIns(1, (i) => `198.51.100.${i}`)).toEqual(Array(10).fill(401));
  });

  it('with one trusted hop, the address that hop appended counts; what the client wrote before it does not', async () => {
    expect(await signIns(1, (i) => `198.51.100.${i}, 203.0.113.7`)).toEqual(limited);
    // App Service's front end appends the client's port: one client on ten connections is one client.
    expect(await signIns(1, (i) => `spoofed-${i}, 203.0.113.7:${50_000 + i}`)).toEqual(limited);
    expect(await signIns(1, (i) => `[2001:db8::${i}]:443, [2001:db8::7]:${50_000 + i}`)).toEqual(limited);
  });

  it('with two trusted hops, the client address is the one the outer proxy saw', async () => {
    expect(await signIns(2, (i) => `spoofed-${i}, 203.0.113.7, 10.0.0.${i}`)).toEqual(limited);
  });
});
