import type { Context } from 'koa';
import type { Accounts, Principal } from '../../platform/core/auth/accounts';
import { HttpProblem } from './problem';

export type Access = 'user' | 'admin';

const WWW_AUTHENTICATE = 'Bearer realm="anime-platform"';

export function unauthorized(detail: string, error?: 'invalid_token'): HttpProblem {
  return new HttpProblem(
    401,
    detail,
    {},
    {
      'WWW-Authenticate': error ? `${WWW_AUTHENTICATE}, error="${error}"` : WWW_AUTHENTICATE,
    },
  );
}

/** The auth scheme is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` are Bearer too. */
const BEARER = /^Bearer +([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*)$/i;

/** Checks the bearer token and the caller's role (read from our users table); throws 401 or 403. */
export function authorizer(accounts: Accounts) {
  return async (ctx: Context, access: Access): Promise<Principal> => {
    const header = ctx.get('Authorization');
    if (!header) throw unauthorized('this operation needs a Bearer access token');
    const token = BEARER.exec(header)?.[1];
    if (!token) throw unauthorized('the Authorization header is not a Bearer token', 'invalid_token');
    const principal = await accounts.authenticate(token);
    if (access === 'admin' && principal.role !== 'admin')
      throw new HttpProblem(403, 'this operation is for admins only');
    ctx.state.principal = principal;
    return principal;
  };
}

export type Authorize = ReturnType<typeof authorizer>;
