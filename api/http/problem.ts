import { STATUS_CODES } from 'node:http';
import type { InvalidParam } from '../../catalogue/validation';

/**
 * An RFC 9457 problem. Handlers throw these; the error middleware is the only place that turns
 * them (and every other error) into responses.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? STATUS_CODES[status] ?? 'Error');
  }

  get title(): string {
    return STATUS_CODES[this.status] ?? 'Error';
  }

  /** `type` points at our docs for problems a client can act on; `about:blank` otherwise (RFC 9457 §4.2.1). */
  toJSON(instance?: string): Record<string, unknown> {
    return {
      type: 'about:blank',
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

export function badRequest(invalidParams: InvalidParam[], detail?: string): HttpProblem {
  const named = invalidParams.map((p) => p.name).join(', ');
  return new HttpProblem(400, detail ?? `invalid parameter(s): ${named}`, {
    'invalid-params': invalidParams,
  });
}

export function notFound(detail = 'no resource at this path'): HttpProblem {
  return new HttpProblem(404, detail);
}
