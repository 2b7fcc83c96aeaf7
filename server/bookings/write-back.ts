import { syncBookingToCalendars, type BookingEvent, type WriteBackOptions } from '../calendars/write-back.ts';
import type { JobHandler } from '../jobs/worker.ts';
import { PermanentJobError } from '../jobs/worker.ts';
import { locationLine, toBooking, type Booking } from './booking.ts';

/** The job kind a booking change enqueues (trigger `bookings_enqueue_write_back`, one open job per booking). */
export const WRITE_BACK_JOB = 'calendar.write-back';

/**
 * The event written into the provider's own calendar for a booking: the visitor in the title, their notes, and the
 * booking's SEQUENCE (raised by the database on every change, so calendar clients replace their copy). The manage
 * link is not written into the provider's calendar (the job never holds the visitor's secret token).
 */
export function writeBackEvent(b: Booking): BookingEvent {
  return {
    id: b.id,
    start: b.start,
    end: b.end,
    summary: `${b.service.title}: ${b.name || b.email || 'booking'}`,
    customerName: b.name,
    customerEmail: b.email,
    location: locationLine(b),
    notes: b.notes || null,
    sequence: b.sequence,
  };
}

/**
 * The `calendar.write-back` job: mirrors a booking into the provider's connected CalDAV / Google / Microsoft calendars as it is
 * NOW — confirmed or completed → the event is written (created or replaced), anything else → removed. Because it reads
 * the current state rather than the state at enqueue time, a late retry of a confirmation never puts back the event
 * of a booking cancelled meanwhile.
 */
export function writeBackJob(options: Pick<WriteBackOptions, 'secretsKey' | 'google' | 'microsoft' | 'timeoutMs'> & { now?: () => Date } = {}): JobHandler {
  const now = options.now ?? (() => new Date());
  return async (job, { db, signal, log }) => {
    const bookingId = job.payload.bookingId;
    if (typeof bookingId !== 'string') throw new PermanentJobError('payload.bookingId is missing');
    const row = await db.rpc('get_booking_for_write_back', { p_booking_id: bookingId });
    if (!row) return; // deleted: nothing left to mirror
    const b = toBooking(row);
    const action = b.status === 'confirmed' || b.status === 'completed' ? 'upsert' : 'delete';
    const report = await syncBookingToCalendars(db, b.provider.id, { ...writeBackEvent(b), stamp: now() }, action, { ...options, signal, log });
    if (report.failed.length === 0) return;
    const reasons = report.failed.map((f) => `${f.source}: ${f.reason}`).join('; ');
    // Calendars that took the write are simply written again on retry (PUT by booking id).
    if (report.failed.every((f) => !f.retryable)) throw new PermanentJobError(`write-back (${action}) refused: ${reasons}`);
    throw new Error(`write-back (${action}) failed: ${reasons}`);
  };
}
