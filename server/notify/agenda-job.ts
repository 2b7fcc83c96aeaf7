import type { JobHandler } from '../jobs/worker.ts';
import { DeferJobError, PermanentJobError } from '../jobs/worker.ts';

/** One job per provider and local day, at `settings.notifications.agendaHour` in the provider's zone. */
export const AGENDA_JOB = 'notify.agenda';

/**
 * The `notify.agenda` job: at the provider's hour (by this server's clock; early claims go back to wait) it asks
 * `agenda_due` for the message about the next day's clients — sent by its own `notify.email` job — and for the next
 * day's agenda job. More than 12 hours late (a long outage) it only schedules the next day.
 */
export function agendaJob(options: { now?: () => Date } = {}): JobHandler {
  const now = options.now ?? (() => new Date());
  return async (job, { db }) => {
    const { providerId, date, at } = job.payload as { providerId?: unknown; date?: unknown; at?: unknown };
    if (typeof providerId !== 'string' || typeof date !== 'string' || typeof at !== 'string' || Number.isNaN(Date.parse(at))) {
      throw new PermanentJobError('payload needs providerId, date and at');
    }
    const due = Date.parse(at);
    const t = now().getTime();
    if (t < due) throw new DeferJobError(new Date(due));
    await db.rpc('agenda_due', { p_provider_id: providerId, p_date: date, p_at: new Date(due).toISOString(), p_send: t - due <= 12 * 3_600_000 });
  };
}
