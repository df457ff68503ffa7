import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { InvalidTokenError } from '../../platform/core/auth/access-tokens';
import {
  AccountNotFoundError,
  AdminExistsError,
  BootstrapRefusedError,
  IdTokensNotIssuedError,
  InvalidCredentialsError,
  WrongPasswordError,
} from '../../platform/core/auth/accounts';
import { RefreshRefusedError } from '../../platform/core/auth/sessions';
import { InvalidRecordError } from '../../platform/core/domain/anime';
import { ConflictError, PreconditionFailedError } from '../../platform/core/ports/anime-repository';
import {
  CredentialPolicyError,
  EmailTakenError,
  IdentityBusyError,
  IdentityUnavailableError,
} from '../../platform/core/ports/identity-provider';
import { StoreBusyError } from '../../platform/core/ports/store-busy-error';
import { LastAdminError } from '../../platform/core/ports/user-repository';
import { unauthorized } from './authentication';
import { badRequest, HttpProblem } from './problem';
import { ReadsSaturatedError } from './read-limit';

/** Core errors a client caused, and what they mean in HTTP. */
const DOMAIN_PROBLEMS: [new (...args: never[]) => Error, (e: Error) => HttpProblem][] = [
  [
    InvalidRecordError,
    (e) =>
      badRequest(
        (e as InvalidRecordError).problems.map((p) => ({ name: p.field, reason: p.reason })),
        e.message,
      ),
  ],
  [ConflictError, (e) => new HttpProblem(409, e.message)],
  [EmailTakenError, (e) => new HttpProblem(409, e.message)],
  [LastAdminError, (e) => new HttpProblem(409, e.message)],
  [AdminExistsError, (e) => new HttpProblem(409, e.message)],
  [BootstrapRefusedError, (e) => new HttpProblem(403, e.message)],
  [WrongPasswordError, (e) => new HttpProblem(403, e.message)],
  [AccountNotFoundError, (e) => new HttpProblem(404, e.message)],
  [PreconditionFailedError, (e) => new HttpProblem(412, e.message)],
  [CredentialPolicyError, (e) => new HttpProblem(400, e.message)],
  [InvalidCredentialsError, (e) => unauthorized(e.message)],
  [RefreshRefusedError, (e) => unauthorized(e.message)],
  // The reason (expired, bad signature...) stays in our logs; the caller learns only that it failed.
  [InvalidTokenError, () => unauthorized('the access token is invalid or expired', 'invalid_token')],
  [StoreBusyError, (e) => new HttpProblem(503, e.message, {}, { 'Retry-After': '2' })],
  [IdTokensNotIssuedError, (e) => new HttpProblem(501, e.message)],
  [ReadsSaturatedError, (e) => new HttpProblem(503, e.message, {}, { 'Retry-After': '1' })],
  [IdentityBusyError, (e) => new HttpProblem(503, e.message, {}, { 'Retry-After': '1' })],
  [
    IdentityUnavailableError,
    () => new HttpProblem(503, 'the identity provider is unavailable', {}, { 'Retry-After': '5' }),
  ],
];

function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  for (const [type, problem] of DOMAIN_PROBLEMS) if (error instanceof type) return problem(error);
  // Errors raised by koa and its middleware (body too large, bad JSON...) carry a status and say
  // whether their message is safe to show.
  const e = error as { status?: number; statusCode?: number; expose?: boolean; message?: string };
  const status = e.status ?? e.statusCode;
  if (status === 400 && error instanceof SyntaxError) {
    // The parser's own message can quote the body; the position is what a client needs.
    const where = /position \d+(?: \(line \d+ column \d+\))?/.exec(e.message ?? '')?.[0];
    return new HttpProblem(400, `the body is not valid JSON${where ? ` (at ${where})` : ''}`);
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpProblem(status, e.expose ? e.message : undefined);
  }
  return new HttpProblem(500);
}

/** Overload, not faults: answered 503 with Retry-After, and logged as episodes, not one by one. */
const BUSY: readonly (new (...args: never[]) => Error)[] = [
  StoreBusyError,
  ReadsSaturatedError,
  IdentityBusyError,
  IdentityUnavailableError,
];

/**
 * One warning when a kind of overload starts, one when it has been quiet for `quietMs`, with how
 * many requests it refused: a busy database under load would otherwise write a stack per request.
 */
export class BusyEpisodes {
  private readonly open = new Map<string, { count: number; started: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly logger: Logger,
    private readonly quietMs = 10_000,
  ) {}

  record(kind: string, detail: string): void {
    const episode = this.open.get(kind);
    if (episode) {
      episode.count++;
      episode.timer.refresh();
      return;
    }
    this.logger.warn({ kind, detail }, `${kind}: answering 503 until it recovers`);
    const timer = setTimeout(() => this.close(kind), this.quietMs);
    timer.unref();
    this.open.set(kind, { count: 1, started: Date.now(), timer });
  }

  private close(kind: string): void {
    const episode = this.open.get(kind);
    if (!episode) return;
    this.open.delete(kind);
    this.logger.warn(
      { kind, refused: episode.count, seconds: Math.round((Date.now() - episode.started) / 1000) },
      `${kind} is over: ${episode.count} request(s) answered 503`,
    );
  }

  /** Ends every open episode now (shutdown), logging each. */
  flush(): void {
    for (const kind of [...this.open.keys()]) {
      clearTimeout(this.open.get(kind)!.timer);
      this.close(kind);
    }
  }
}

/** The one place errors become responses: problem+json, never a stack trace. */
export function errorMiddleware(logger: Logger, episodes = new BusyEpisodes(logger)): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined)
        throw new HttpProblem(404, `no route for ${ctx.path}`);
      if (ctx.status === 405 && ctx.body === undefined) {
        throw new HttpProblem(
          405,
          `${ctx.method} is not allowed on ${ctx.path}`,
          {},
          { Allow: ctx.response.get('Allow') },
        );
      }
    } catch (error) {
      const problem = toProblem(error);
      const busy = BUSY.find((type) => error instanceof type);
      if (busy) episodes.record(busy.name, problem.detail ?? '');
      else if (problem.status >= 500) (ctx.state.log ?? logger).error({ err: error }, 'request failed');
      ctx.status = problem.status;
      for (const [name, value] of Object.entries(problem.headers)) ctx.set(name, value);
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'application/problem+json';
      ctx.body = JSON.stringify(problem.toJSON(ctx.path));
    }
  };
}
