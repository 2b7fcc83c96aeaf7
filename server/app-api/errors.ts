import type { Context } from 'hono';
import { DbError, NOT_FOUND } from '../db/port.ts';
import { notFound, problem } from '../http/problem.ts';

const NOT_FOUND_WHAT: Record<string, string> = {
  provider_not_found: 'Provider',
  booking_not_found: 'Booking',
  service_not_found: 'Service',
  client_not_found: 'Client',
  account_not_found: 'Account',
  package_not_found: 'Package',
};

/** The owner functions' SL409 reasons: the problem title, and the field to name when one field is at fault. */
const CONFLICTS: Record<string, { title: string; field?: string }> = {
  slot_taken: { title: 'This time is already taken' },
  slug_taken: { title: 'This page address is taken', field: 'slug' },
  service_slug_taken: { title: 'Another service already has this address', field: 'slug' },
  already_has_provider: { title: 'You already have a booking page' },
  service_in_use: { title: 'This service has bookings: hide it instead of deleting it' },
  not_awaiting_approval: { title: 'This booking is not waiting for approval' },
  not_live: { title: 'This booking is no longer live' },
  not_started: { title: 'This booking has not started yet' },
  no_manage_link: { title: 'This booking has no manage link to move it with' },
  not_in_series: { title: 'This booking is not part of a weekly series' },
  client_has_upcoming: { title: 'This client has upcoming bookings: cancel them first' },
  payments_in_flight: { title: 'A visitor is paying, or a refund is still being made, with these Stripe keys: disconnect once that is settled' },
  day_full: { title: 'This service is fully booked that day' },
};

/**
 * The answer for a typed error of an owner SQL function: SL404 → 404 (also for another provider's rows, so
 * nobody learns what exists), SL409 → 409 with the reason as the problem type, SL422 → 422. Null for anything
 * else (a bug: the app's 500).
 */
export function dbProblem(c: Context, error: unknown): Response | null {
  if (!(error instanceof DbError)) return null;
  if (error.code === NOT_FOUND) return notFound(c, NOT_FOUND_WHAT[error.message] ?? 'Resource');
  if (error.code === 'SL409') {
    const conflict = CONFLICTS[error.message] ?? { title: 'This conflicts with the current state' };
    return problem(c, 409, error.message.replace(/_/g, '-'), conflict.title, conflict.field
      ? { errors: [{ field: conflict.field, message: conflict.title }] }
      : {});
  }
  if (error.code === 'SL422') return problem(c, 422, 'unprocessable', 'The request cannot be applied', { detail: error.message });
  return null;
}

/** Runs an owner call and turns its typed SQL errors into problem responses. */
export async function owner(c: Context, call: () => Promise<Response>): Promise<Response> {
  try {
    return await call();
  } catch (error) {
    const response = dbProblem(c, error);
    if (response) return response;
    throw error;
  }
}
