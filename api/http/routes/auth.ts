import type { Accounts } from '../../../platform/core/auth/accounts';
import { defineRoute } from '../route';
import type { AuthThrottle } from '../throttle';
import {
  AccountSchema,
  BootstrapBody,
  PasswordChangeBody,
  RefreshBody,
  SignedInSchema,
  SignInBody,
  SignOutBody,
  SignUpBody,
  TokenBody,
} from './account-schemas';

export function authRoutes(accounts: Accounts, throttle: AuthThrottle) {
  return [
    defineRoute({
      method: 'post',
      path: '/auth/signup',
      operationId: 'signUp',
      summary: 'Create an account (role user)',
      description:
        'Sign-up never grants a role beyond user. The password must be at least 8 characters and not easily guessed. Limited per client address and per email (429 with Retry-After).',
      tags: ['auth'],
      body: SignUpBody,
      response: { status: 201, schema: AccountSchema, description: 'Created' },
      problems: [409, 429],
      handler: async ({ body }, ctx) => {
        await throttle.ip(ctx);
        await throttle.email(body.email);
        const account = await throttle.fairShare(ctx, () => accounts.signUp(body));
        ctx.set('Location', '/auth/me');
        return account;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/signin',
      operationId: 'signIn',
      summary: 'Exchange email and password for an access token and a refresh token',
      description:
        'Starts a session: a short-lived access token and a refresh token for POST /auth/refresh. One 401 for an unknown email and a wrong password alike. Limited per client address and per email (429 with Retry-After).',
      tags: ['auth'],
      body: SignInBody,
      response: { status: 200, schema: SignedInSchema, description: 'Signed in: a new session' },
      problems: [401, 429],
      handler: async ({ body }, ctx) => {
        await throttle.ip(ctx);
        await throttle.email(body.email);
        ctx.set('Cache-Control', 'no-store');
        return throttle.fairShare(ctx, () => accounts.signIn(body.email, body.password));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/token',
      operationId: 'exchangeIdToken',
      summary: 'Exchange a Firebase ID token from a client SDK for an access token',
      description:
        'Only with Firebase configured (FIREBASE_PROJECT_ID); the local identity provider issues no ID tokens and answers 501.',
      tags: ['auth'],
      body: TokenBody,
      response: { status: 200, schema: SignedInSchema, description: 'Exchanged: a new session' },
      problems: [401, 429, 501],
      handler: async ({ body }, ctx) => {
        await throttle.ip(ctx);
        ctx.set('Cache-Control', 'no-store');
        return accounts.exchange(body.idToken);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/refresh',
      operationId: 'refresh',
      summary: 'Trade a refresh token for a new access token and a new refresh token',
      description:
        'The refresh token is spent: keep the new one. Presenting a spent refresh token again (a copy is in use) revokes the whole session, and both holders must sign in again. A refresh never extends the session beyond REFRESH_TOKEN_TTL_SECONDS from sign-in.',
      tags: ['auth'],
      body: RefreshBody,
      response: { status: 200, schema: SignedInSchema, description: 'Refreshed' },
      problems: [401, 429],
      handler: async ({ body }, ctx) => {
        await throttle.ip(ctx);
        ctx.set('Cache-Control', 'no-store');
        return accounts.refresh(body.refreshToken);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/signout',
      operationId: 'signOut',
      summary: 'End this session (or every session of the account): its tokens stop working at once',
      description:
        'The bearer token and its refresh token are refused from then on. With `{"everywhere": true}`, every session of the account ends.',
      tags: ['auth'],
      access: 'user',
      body: SignOutBody,
      response: { status: 204, description: 'Signed out' },
      handler: async ({ body, principal }) => {
        await accounts.signOut(principal!, body.everywhere ?? false);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/password',
      operationId: 'changePassword',
      summary: 'Change the password; every other session ends',
      description:
        'Needs the current password (403 when wrong). The new one follows the sign-up policy. Sessions on other devices end; this one continues. Limited like sign-in (429 with Retry-After).',
      tags: ['auth'],
      access: 'user',
      body: PasswordChangeBody,
      response: { status: 204, description: 'Changed' },
      problems: [403, 429],
      handler: async ({ body, principal }, ctx) => {
        await throttle.ip(ctx);
        await throttle.email(principal!.email);
        await throttle.fairShare(ctx, () =>
          accounts.changePassword(principal!, body.currentPassword, body.newPassword),
        );
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/admin-bootstrap',
      operationId: 'claimFirstAdmin',
      summary: 'Make the signed-in account the first admin with the one-time token; only while none exists',
      description:
        'Takes ADMIN_BOOTSTRAP_TOKEN (or the one printed at a development start). Refused once any admin exists.',
      tags: ['auth'],
      access: 'user',
      body: BootstrapBody,
      response: { status: 200, schema: AccountSchema, description: 'The account, now an admin' },
      problems: [403, 409, 429],
      handler: async ({ body, principal }, ctx) => {
        await throttle.ip(ctx);
        return accounts.claimFirstAdmin(principal!.uid, body.token);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/auth/me',
      operationId: 'me',
      summary: 'The signed-in account',
      description: 'The account behind the bearer token.',
      tags: ['auth'],
      access: 'user',
      response: { status: 200, schema: AccountSchema, description: 'The account' },
      handler: ({ principal }) => accounts.me(principal!.uid),
    }),
    defineRoute({
      method: 'delete',
      path: '/auth/me',
      operationId: 'deleteMe',
      summary: 'Delete the signed-in account; its tokens stop working at once',
      description: 'Removes the account and its credentials; tokens already issued are refused from then on.',
      tags: ['auth'],
      access: 'user',
      response: { status: 204, description: 'Deleted' },
      problems: [409],
      handler: async ({ principal }) => {
        await accounts.deleteAccount(principal!.uid);
      },
    }),
  ];
}
