import type { JobHandler } from '../jobs/worker.ts';
import { DeferJobError, PermanentJobError } from '../jobs/worker.ts';

/** Queued when a calendar source starts failing (trigger on calendar_sync_state), for failing_since + 1 hour. */
export const CALENDAR_FAILING_JOB = 'notify.calendar-failing';

/** How long a source may fail before the provider is told. */
export const CALENDAR_FAILING_AFTER_MS = 3_600_000;

/**
 * The `notify.calendar-failing` job, one per failing episode (its dedupe key holds the source and failing_since).
 * An hour after the source started failing by this server's clock (earlier claims go back to wait) it asks
 * `calendar_failing_due`, which adds the provider's email only if the source is still failing since that same
 * instant and provider mail is on; the message is then sent by its own `notify.email` job.
 */
export function calendarFailingJob(options: { now?: () => Date } = {}): JobHandler {
  const now = options.now ?? (() => new Date());
  return async (job, { db }) => {
    const { providerId, source, failingSince } = job.payload as { providerId?: unknown; source?: unknown; failingSince?: unknown };
    if (typeof providerId !== 'string' || typeof source !== 'string' || typeof failingSince !== 'string' || Number.isNaN(Date.parse(failingSince))) {
      throw new PermanentJobError('payload needs providerId, source and failingSince');
    }
    const due = Date.parse(failingSince) + CALENDAR_FAILING_AFTER_MS;
    if (now().getTime() < due) throw new DeferJobError(new Date(due));
    // failingSince is passed back as the database wrote it (microseconds), so the comparison there is exact.
    await db.rpc('calendar_failing_due', { p_provider_id: providerId, p_source: source, p_failing_since: failingSince });
  };
}
