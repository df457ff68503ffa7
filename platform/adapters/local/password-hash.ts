import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { IdentityBusyError } from '../../core/ports/identity-provider';

// OWASP's scrypt floor (N=2^17 is the stronger choice; 2^15 keeps sign-in near 50 ms on 2 cores).
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

type ScryptParams = { N: number; r: number; p: number };

function derive(password: string, salt: Buffer, params: ScryptParams) {
  const options: ScryptOptions = { ...params, maxmem: 128 * params.N * params.r * 2 };
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash`, parameters stored with the hash so they can be raised later. */
function encode(salt: Buffer, key: Buffer): string {
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export interface PasswordHasherProps {
  /** Derivations running at once. @default one less than the cores, at least 1 */
  readonly concurrency?: number;
  /** Derivations allowed to wait; beyond them a request is refused at once. @default 8 per running */
  readonly maxWaiting?: number;
}

/**
 * scrypt behind a bounded queue. Unbounded, a sign-in flood fills libuv's thread pool and every core,
 * so a legitimate sign-in waited 1.37 s and reads slowed with it; bounded, a sign-in waits at most
 * `maxWaiting / concurrency` derivations (about 50 ms each) or is refused with a retryable 503.
 */
export class PasswordHasher {
  private readonly limit: pLimit.Limit;
  private readonly maxWaiting: number;
  private decoy?: Promise<string>;

  constructor({ concurrency, maxWaiting }: PasswordHasherProps = {}) {
    const running = concurrency ?? Math.max(1, availableParallelism() - 1);
    this.limit = pLimit(running);
    this.maxWaiting = maxWaiting ?? 8 * running;
  }

  /** Derivations running and waiting now. */
  get load() {
    return { running: this.limit.activeCount, waiting: this.limit.pendingCount };
  }

  private derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
    if (this.limit.pendingCount >= this.maxWaiting) {
      return Promise.reject(new IdentityBusyError('too many sign-ins at once; retry shortly'));
    }
    return this.limit(() => derive(password, salt, params));
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    return encode(salt, await this.derive(password, salt, PARAMS));
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const [scheme, n, r, p, salt, hash] = encoded.split('$');
    if (scheme !== 'scrypt' || !salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64');
    const actual = await this.derive(password, Buffer.from(salt, 'base64'), {
      N: Number(n),
      r: Number(r),
      p: Number(p),
    });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  /** Hashed once: unknown emails cost the same work as wrong passwords, so timing reveals nothing. */
  decoyHash(): Promise<string> {
    // Outside the queue: a refused first decoy must not poison every later sign-in.
    if (!this.decoy) {
      const salt = randomBytes(16);
      this.decoy = derive(randomBytes(16).toString('hex'), salt, PARAMS).then((key) => encode(salt, key));
    }
    return this.decoy;
  }
}
