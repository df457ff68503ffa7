import { Type } from '@sinclair/typebox';
import type { Accounts } from '../../../platform/core/auth/accounts';
import { ROLES, type Role as RoleName } from '../../../platform/core/ports/user-repository';
import { badRequest } from '../problem';
import { defineRoute } from '../route';
import { AccountSchema } from './account-schemas';

// An enum rather than a union of consts: generators (openapi-to-postman, faker) read enum and example.
const Role = Type.Unsafe<RoleName>({
  type: 'string',
  enum: [...ROLES],
  description: 'user or admin',
  example: 'admin',
});

const UsersQuery = Type.Object({
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Accounts per page' }),
  ),
  cursor: Type.Optional(
    Type.String({ maxLength: 400, description: 'From the `next` link of the previous page' }),
  ),
  role: Type.Optional({ ...Role, description: 'Only accounts with this role' }),
});

const UsersPage = Type.Object({
  items: Type.Array(AccountSchema),
  limit: Type.Integer(),
  next: Type.Union([Type.String(), Type.Null()], { description: 'The next page, or null on the last' }),
});

const UidParams = Type.Object({
  uid: Type.String({ minLength: 1, maxLength: 128, description: 'The account uid' }),
});

const RoleBody = Type.Object({ role: Role }, { additionalProperties: false });

const encodeCursor = (email: string) => Buffer.from(email, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  const email = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!email.includes('@') || encodeCursor(email) !== cursor)
    throw badRequest([{ name: 'cursor', reason: 'is not a cursor returned by this API' }]);
  return email;
}

export function userAdminRoutes(accounts: Accounts) {
  return [
    defineRoute({
      method: 'get',
      path: '/admin/users',
      operationId: 'listUsers',
      summary: 'Accounts by email, a page at a time',
      description: 'Admin only. Keyset pages in email order; follow `next`. Filter by role.',
      tags: ['admin'],
      access: 'admin',
      query: UsersQuery,
      response: { status: 200, schema: UsersPage, description: 'A page of accounts' },
      handler: async ({ query }, ctx) => {
        const limit = query.limit ?? 50;
        const afterEmail = query.cursor ? decodeCursor(query.cursor) : undefined;
        // One more than asked tells whether a next page exists without a count.
        const rows = await accounts.listUsers({ limit: limit + 1, afterEmail, role: query.role });
        const items = rows.slice(0, limit);
        let next: string | null = null;
        if (rows.length > limit) {
          const params = new URLSearchParams(ctx.querystring);
          params.set('cursor', encodeCursor(items.at(-1)!.email));
          next = `${ctx.path}?${params}`;
        }
        return { items, limit, next };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/admin/users/:uid',
      operationId: 'setUserRole',
      summary: "Change an account's role",
      description:
        'Admin only. Takes effect on the next request of that account (roles are read on every request). The last admin cannot be demoted (409).',
      tags: ['admin'],
      access: 'admin',
      params: UidParams,
      body: RoleBody,
      response: { status: 200, schema: AccountSchema, description: 'The account with its new role' },
      problems: [404, 409],
      handler: ({ params, body }) => accounts.setRole(params.uid, body.role),
    }),
  ];
}
