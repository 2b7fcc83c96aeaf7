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

const knownZones = new Map<string, boolean>();

/** Whether `zone` is an IANA time zone this runtime knows (answers are remembered: Intl is slow). */
export function isTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  const known = knownZones.get(zone);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    valid = true;
  } catch {
    valid = false;
  }
  if (knownZones.size < 2_000) knownZones.set(zone, valid);
  return valid;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Instants a booking system has any business with; outside, PostgreSQL and zone math give up. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);

/** An ISO 8601 instant with an explicit offset (a local time without one is ambiguous), 1970–2200. */
export function parseInstant(value: string): Date | null {
  if (typeof value !== 'string' || !INSTANT.test(value)) return null;
  const date = new Date(value);
  const t = date.getTime();
  return Number.isNaN(t) || t < EARLIEST || t >= LATEST ? null : date;
}

/** Text a visitor may send: no NUL or other control characters except tab and newlines. */
export const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
