import type { JobHandler } from '../jobs/worker.ts';
import { DeferJobError, PermanentJobError } from '../jobs/worker.ts';

/** The job a confirmed (or moved) booking enqueues per reminder offset, with run_at = start − offset. */
export const REMINDER_JOB = 'notify.reminder';

/**
 * The `notify.reminder` job. Offsets are elapsed minutes (1440 = exactly 24 hours before the start instant, which
 * across a DST change is not the same wall-clock time the day before). The job runs when the queue finds it due by
 * the database's clock; by this server's clock it then:
 *   - goes back to the queue if the instant has not come yet (clocks disagree, or a test moved the server's clock),
 *   - does nothing if the booking starts within half the offset (booked at short notice, or the server was down),
 *   - otherwise asks `add_due_reminder`, which adds the message only if the booking is still confirmed at the same
 *     start with reminders on — so a cancellation or a move silently drops it — and at most once per
 *     (booking, offset, start), however many instances run it.
 * The message is then sent by its own `notify.email` job.
 */
export function reminderJob(options: { now?: () => Date } = {}): JobHandler {
  const now = options.now ?? (() => new Date());
  return async (job, { db }) => {
    const { bookingId, offsetMinutes, start } = job.payload as { bookingId?: unknown; offsetMinutes?: unknown; start?: unknown };
    if (typeof bookingId !== 'string' || typeof offsetMinutes !== 'number' || typeof start !== 'string' || Number.isNaN(Date.parse(start))) {
      throw new PermanentJobError('payload needs bookingId, offsetMinutes and start');
    }
    const startMs = Date.parse(start);
    const due = startMs - offsetMinutes * 60_000;
    const t = now().getTime();
    if (t < due) throw new DeferJobError(new Date(due));
    if (t > due + (offsetMinutes * 60_000) / 2 || t >= startMs) return;
    await db.rpc('add_due_reminder', { p_booking_id: bookingId, p_offset_minutes: offsetMinutes, p_start: new Date(startMs).toISOString() });
  };
}
