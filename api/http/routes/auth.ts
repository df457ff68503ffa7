import { Type } from '@sinclair/typebox';
import type { Accounts } from '../../core/auth/accounts';
import { defineRoute } from '../route';
import type { AuthThrottle } from '../throttle';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 8, maxLength: 128, description: 'At least 8 characters' });

const SignUpBody = Type.Object(
  {
    email: Email,
    password: Password,
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
const SignInBody = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
const TokenBody = Type.Object(
  { idToken: Type.String({ minLength: 1, maxLength: 8192, description: 'Firebase ID token' }) },
  { additionalProperties: false },
);

const BootstrapBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 512, description: 'The ADMIN_BOOTSTRAP_TOKEN' }) },
  { additionalProperties: false },
);

const AccessTokenSchema = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds' }),
});

const AccountSchema = Type.Object({
  uid: Type.String(),
  email: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
  createdAt: Type.String({ format: 'date-time' }),
});

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
      summary: 'Exchange email and password for an access token',
      description:
        'One 401 for an unknown email and a wrong password alike. Limited per client address and per email (429 with Retry-After).',
      tags: ['auth'],
      body: SignInBody,
      response: { status: 200, schema: AccessTokenSchema, description: 'Signed in' },
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
      response: { status: 200, schema: AccessTokenSchema, description: 'Exchanged' },
      problems: [401, 429, 501],
      handler: async ({ body }, ctx) => {
        await throttle.ip(ctx);
        ctx.set('Cache-Control', 'no-store');
        return accounts.exchange(body.idToken);
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
