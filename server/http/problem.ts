import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Where problem types live; the last path segment is the machine-readable kind. */
export const PROBLEM_BASE = 'https://slotline.dev/problems/';

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

/**
 * An RFC 9457 problem details response (`application/problem+json`).
 *
 * @example
 * return problem(c, 409, 'slot-taken', 'Someone just took this time', { detail: 'Pick another time.' });
 * @see https://www.rfc-editor.org/rfc/rfc9457
 */
export function problem(
  c: Context,
  status: ContentfulStatusCode,
  kind: string,
  title: string,
  extra: Partial<Problem> = {},
  headers: Record<string, string> = {},
): Response {
  const body: Problem = { type: PROBLEM_BASE + kind, title, status, ...extra };
  return c.body(JSON.stringify(body), status, {
    'content-type': 'application/problem+json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
}

/** 400 naming every bad field. */
export function invalid(c: Context, errors: FieldError[]): Response {
  return problem(c, 400, 'invalid-request', 'The request has invalid fields', {
    detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  });
}

export function notFound(c: Context, what: string): Response {
  return problem(c, 404, 'not-found', `${what} not found`);
}
