import { createRedisClient } from '../../platform/adapters/redis/redis-client';

/**
 * Azure's Redis access keys are base64: `/`, `+` and `=` appear in them. The infra percent-encodes
 * the key into REDIS_URL (urlencode in the synthesized secret); the client must get the key back.
 */
const KEY = 'Ab/cd+EF==gh/ij';
const encoded = `rediss://:${encodeURIComponent(KEY)}@127.0.0.1:1`;

describe('REDIS_URL with an access key that holds URL delimiters', () => {
  it('negative control: the key as Azure gives it, unencoded, is not a URL at all', () => {
    expect(() => createRedisClient({ url: `rediss://:${KEY}@127.0.0.1:1` })).toThrow(/Invalid URL/);
  });

  it.each([false, true])(
    'percent-encoded, the client (cluster: %s) authenticates with the original key',
    (cluster) => {
      const client = createRedisClient({ url: encoded, cluster });
      try {
        const options = client.options as { password?: string; redisOptions?: { password?: string } };
        expect(cluster ? options.redisOptions?.password : options.password).toBe(KEY);
      } finally {
        client.disconnect();
      }
    },
  );
});
