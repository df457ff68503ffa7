import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role, UserAccount } from '../ports/user-repository';

/** One algorithm, pinned at signing and at verification: `none`, RS256 and HS512 tokens are refused. */
const ALGORITHM = 'HS256' as const;
const MIN_SECRET_BYTES = 32;

export interface AccessTokenOptions {
  readonly secret: string;
  /** @default 'anime-platform' */
  readonly issuer?: string;
  /** @default 'anime-platform-api' */
  readonly audience?: string;
  /** @default 900 (15 min) */
  readonly ttlSeconds?: number;
  /** Leeway for clock skew between instances. @default 5 */
  readonly clockToleranceSeconds?: number;
}

export interface AccessToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface AccessClaims {
  sub: string;
  email: string;
  role: Role;
  jti: string;
  /** The session the token renews within; signing out ends it. */
  sid: string;
}

export class InvalidTokenError extends Error {}

class WeakSecretError extends Error {}

function assertStrongSecret(secret: string): void {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES)
    throw new WeakSecretError(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes`);
}

/** Our own short-lived access tokens, whichever identity provider vouched for the user. */
export class AccessTokens {
  private readonly issuer: string;
  private readonly audience: string;
  private readonly ttlSeconds: number;
  private readonly clockTolerance: number;

  constructor(private readonly options: AccessTokenOptions) {
    assertStrongSecret(options.secret);
    this.issuer = options.issuer ?? 'anime-platform';
    this.audience = options.audience ?? 'anime-platform-api';
    this.ttlSeconds = options.ttlSeconds ?? 900;
    this.clockTolerance = options.clockToleranceSeconds ?? 5;
  }

  issue(user: UserAccount, sessionId: string): AccessToken {
    const accessToken = jwt.sign(
      { email: user.email, role: user.role, sid: sessionId },
      this.options.secret,
      {
        algorithm: ALGORITHM,
        expiresIn: this.ttlSeconds,
        issuer: this.issuer,
        audience: this.audience,
        subject: user.uid,
        jwtid: randomUUID(),
      },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn: this.ttlSeconds };
  }

  /** Throws InvalidTokenError for anything but a well-formed, current token we signed. */
  verify(token: string): AccessClaims {
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.options.secret, {
        algorithms: [ALGORITHM],
        issuer: this.issuer,
        audience: this.audience,
        clockTolerance: this.clockTolerance,
      });
    } catch (error) {
      throw new InvalidTokenError((error as Error).message);
    }
    if (typeof payload === 'string' || typeof payload.exp !== 'number')
      throw new InvalidTokenError('token has no expiry');
    // A token signed with our secret but a far expiry (a leaked secret, a forged issuer) is refused:
    // no token we issue lives longer than the TTL.
    if (typeof payload.iat !== 'number' || payload.exp - payload.iat > this.ttlSeconds + this.clockTolerance)
      throw new InvalidTokenError(`token lifetime exceeds ${this.ttlSeconds} s`);
    if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || typeof payload.sid !== 'string')
      throw new InvalidTokenError('token lacks sub, jti or sid');
    return {
      sub: payload.sub,
      email: String(payload.email),
      role: payload.role,
      jti: payload.jti,
      sid: payload.sid,
    };
  }
}
