import type { Context } from 'koa';
import type { Representation } from '../../platform/core/cache/stored-representation';
import { prepareResponse } from './prepared-response';

/** Sends a representation through Koa. */
export function sendRepresentation(ctx: Context, representation: Representation): void {
  const prepared = prepareResponse(representation, {
    ifNoneMatch: ctx.get('If-None-Match'),
    acceptEncoding: ctx.get('Accept-Encoding'),
    cacheControl: ctx.response.get('Cache-Control') as string,
  });
  for (const name in prepared.headers) {
    // Vary adds to what other layers vary on (CORS adds Origin); the rest are this body's own.
    if (name === 'Vary') ctx.vary(prepared.headers[name]!);
    else ctx.set(name, prepared.headers[name]!);
  }
  ctx.status = prepared.status;
  if (prepared.body) ctx.body = prepared.body;
}
