import { Type } from '@sinclair/typebox';
import { NO_CONTROL_CHARACTERS } from '../../../catalogue/schema';

const Email = Type.String({ format: 'email', maxLength: 254, example: 'ada@example.com' });
const Password = Type.String({
  minLength: 8,
  maxLength: 128,
  description: 'At least 8 characters',
  example: 'correct horse battery',
});

export const SignUpBody = Type.Object(
  {
    email: Email,
    password: Password,
    // Stored text's one rule: no control characters (a CR/LF would reach /admin/users raw).
    displayName: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        pattern: NO_CONTROL_CHARACTERS,
        description: 'No control characters',
        example: 'Ada',
      }),
    ),
  },
  { additionalProperties: false },
);
export const SignInBody = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: 128, example: 'correct horse battery' }) },
  { additionalProperties: false },
);
export const TokenBody = Type.Object(
  {
    idToken: Type.String({
      minLength: 1,
      maxLength: 8192,
      description: 'Firebase ID token',
      example: 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl',
    }),
  },
  { additionalProperties: false },
);

export const BootstrapBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 512, description: 'The ADMIN_BOOTSTRAP_TOKEN' }) },
  { additionalProperties: false },
);

export const SignedInSchema = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
  refreshToken: Type.String({ description: 'Single use: POST /auth/refresh spends it and returns the next' }),
  refreshExpiresIn: Type.Integer({
    description: 'Seconds until the session ends; refreshes do not extend it',
  }),
});

export const RefreshBody = Type.Object(
  {
    refreshToken: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'From sign-in or the last refresh',
    }),
  },
  { additionalProperties: false },
);

export const SignOutBody = Type.Object(
  {
    everywhere: Type.Optional(
      Type.Boolean({ description: 'End every session of the account', default: false }),
    ),
  },
  { additionalProperties: false },
);

export const PasswordChangeBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 128, example: 'correct horse battery' }),
    newPassword: { ...Password, example: 'correct horse battery staple' },
  },
  { additionalProperties: false },
);

export const AccountSchema = Type.Object({
  uid: Type.String(),
  email: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
  createdAt: Type.String({ format: 'date-time' }),
});
