import type { Context } from 'hono';
import type { z } from 'zod';
import { invalid, type FieldError } from './problem.ts';

/** zod issues as `{ field, message }` with dotted paths (`settings.workingHours.start`). */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.map(String).join('.') : 'body',
    message: issue.message,
  }));
}

/**
 * Reads a JSON body and validates it, or returns the 400 problem response to send.
 * Bodies are read as text first so malformed JSON gets a clear field error, not a 500.
 */
export async function readJson<T extends z.ZodType>(
  c: Context,
  schema: T,
): Promise<{ ok: true; value: z.infer<T> } | { ok: false; response: Response }> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    return { ok: false, response: invalid(c, [{ field: 'content-type', message: 'must be application/json' }]) };
  }
  let data: unknown;
  try {
    data = JSON.parse(await c.req.text());
  } catch {
    return { ok: false, response: invalid(c, [{ field: 'body', message: 'is not valid JSON' }]) };
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) return { ok: false, response: invalid(c, fieldErrors(parsed.error)) };
  return { ok: true, value: parsed.data };
}

/** The shared rules (zone, instant, control characters) are the contract's: one definition for server and pages. */
export { CONTROL_CHARS, isTimeZone, parseInstant } from '../../contract/rules.ts';
