import type { TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { hasControlCharacter, NO_CONTROL_CHARACTERS, NON_BLANK_TEXT } from './schema';

/**
 * One shared Ajv: every schema in the system is compiled once, with all errors reported (verbose:
 * an error carries the value, so a text rule's failure can say which part of it failed).
 */
const ajv = addFormats(
  new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: true, verbose: true }),
);
const coercingAjv = addFormats(
  new Ajv({ allErrors: true, strict: false, coerceTypes: 'array', useDefaults: true, verbose: true }),
);

/** Stored text's rules in words, as the normalizer says them. */
function textRuleReason(error: ErrorObject): string | undefined {
  const { pattern } = error.params as { pattern?: string };
  if (pattern !== NO_CONTROL_CHARACTERS && pattern !== NON_BLANK_TEXT) return undefined;
  return typeof error.data === 'string' && hasControlCharacter(error.data)
    ? 'contains a control character'
    : 'must not be blank';
}

export function compileSchema<T = unknown>(schema: TSchema): ValidateFunction<T> {
  return ajv.compile<T>(schema);
}

/** For query strings, where every value arrives as text. */
export function compileCoercingSchema<T = unknown>(schema: TSchema): ValidateFunction<T> {
  return coercingAjv.compile<T>(schema);
}

export interface InvalidParam {
  name: string;
  reason: string;
}

/** Ajv's errors as one entry per offending property, named by its path. */
export function formatErrors(errors: ErrorObject[] | null | undefined, root = ''): InvalidParam[] {
  const seen = new Map<string, InvalidParam>();
  // A union of literals reports one `const` error per branch: together they are the allowed values.
  const allowed = new Map<string, unknown[]>();
  for (const error of errors ?? []) {
    let path = error.instancePath
      .split('/')
      .slice(1)
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
      .join('.');
    let reason = error.message ?? 'is invalid';
    if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      path = path ? `${path}.${extra}` : extra;
      reason = 'is not a known parameter';
    } else if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      path = path ? `${path}.${missing}` : missing;
      reason = 'is required';
    } else if (error.keyword === 'pattern') {
      reason = textRuleReason(error) ?? reason;
    } else if (error.keyword === 'enum') {
      reason = `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    }
    const name = root && path ? `${root}.${path}` : path || root || '(body)';
    if (error.keyword === 'const') {
      const values = allowed.get(name) ?? [];
      values.push((error.params as { allowedValue: unknown }).allowedValue);
      allowed.set(name, values);
      reason = `must be one of ${values.join(', ')}`;
      const known = seen.get(name);
      if (known?.reason.startsWith('must be one of ')) seen.set(name, { name, reason });
    }
    // Union schemas report one error per branch; the first is the clearest.
    if (!seen.has(name)) seen.set(name, { name, reason });
  }
  return [...seen.values()];
}
