/**
 * The external busy cache: busy time per provider and source in `external_busy`, sync state in
 * `calendar_sync_state`. Reads never wait on a calendar that already has data (stale-while-revalidate); refreshes
 * run sources in parallel, each bounded by a timeout. A failing source keeps its last good data for
 * `maxStaleMinutes`; after that `settings.calendar.onError` decides: "hide" the window (default) or "ignore" it.
 */
import type { Db } from '../db/port.js';
import { requireSecretsKey } from '../secrets/crypto.js';
import type { BusyInterval } from './expand.js';
import type { GoogleOAuthConfig } from './google.js';
import type { IcsFeedState } from './ics-feed.js';
import type { MicrosoftOAuthConfig } from './microsoft.js';
import { saveRotatedSecret, sourceFromIntegration, type CalendarSettings, type StoredSource } from './integration.js';
import { describeSourceError, redactUrls, type SourceKind } from './source.js';
import { DAY, MINUTE } from '../time/units.ts';

export interface CalendarCacheOptions {
  /** Data older than this is refreshed (default 5). */
  maxAgeMinutes?: number;
  /** A failing source's last good data is used up to this age (default 60). */
  maxStaleMinutes?: number;
  /** Per-source fetch timeout (default 4000). */
  timeoutMs?: number;
  /** A refresh reads from yesterday to this many days ahead (default 90), or the asked window if wider. */
  horizonDays?: number;
  /** No new attempt on a source within this many seconds of the last one (in flight, or back-off). Default 30. */
  retryAfterSeconds?: number;
  /** `config.calendars.secretsKey`; without it a source with a stored secret fails ("SECRETS_KEY is not set"). */
  secretsKey?: Buffer | null;
  /** `config.calendars.google`; without it Google sources fail ("not configured"). */
  google?: GoogleOAuthConfig | null;
  /** `config.calendars.microsoft`; without it Microsoft sources fail ("not configured"). */
  microsoft?: MicrosoftOAuthConfig | null;
  /** The clock ages are measured with (sync times are the database's `now()`). */
  now?: () => Date;
  /**
   * The instant slots are offered from (the booking page's clock; default `now()`): decides which part of a window
   * can hold slots and so needs data, and what a refresh reads. Tests that fix the app's clock pass it here.
   */
  at?: Date;
  /** Where failures and recoveries are reported (one line each, never credentials). Default console.warn. */
  log?: (line: string) => void;
}

/** What the slots path gets: busy intervals to subtract, and whether to trust them. */
export interface CachedBusy {
  /** External busy intervals overlapping the window, sorted (UTC ISO). */
  busy: BusyInterval[];
  /** Some data is older than maxAgeMinutes or its source is failing (a refresh was started in the background). */
  stale: boolean;
  /** Sources (`<kind>:<integration id>`) whose last refresh failed. */
  failing: string[];
  /** A source has no usable data for the window and onError is "hide": offer no slots in this window. */
  hideWindow: boolean;
}

export interface RefreshReport {
  refreshed: string[];
  failed: { source: string; reason: string }[];
  /** Fresh enough, or another attempt is in flight / too recent. */
  skipped: string[];
}

/** A source's sync state, as `get_calendar_health` returns it. */
export interface HealthSource {
  source: string;
  integrationId: string;
  kind: SourceKind;
  label: string | null;
  coveredFrom: string | null;
  coveredTo: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  /** What the last successful refresh left out because it could not be read, in plain words; null when nothing. */
  lastWarning?: string | null;
  failingSince: string | null;
}

/** A source's sync state and its cached busy intervals overlapping the window (`get_calendar_cache`). */
interface CacheSource extends HealthSource {
  busy: { start: string; end: string }[];
}

/** What `get_calendar_health` returns: the cache's sources without their busy intervals. */
export interface HealthRow {
  timezone: string;
  calendar: CalendarSettings;
  sources: HealthSource[];
}

/** What `get_calendar_cache` returns. */
export interface CacheRow {
  timezone: string;
  calendar: CalendarSettings;
  sources: CacheSource[];
}

/** What `get_calendar_refresh_input` returns (refresh and write-back read it). */
export interface RefreshInput {
  timezone: string;
  calendar: CalendarSettings & { writeCalendarId?: string; writeGoogleCalendarId?: string; writeMicrosoftCalendarId?: string };
  sources: StoredSource[];
}

function settingsNumber(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

function limits(calendar: CalendarSettings, options: CalendarCacheOptions) {
  return {
    maxAgeMs: settingsNumber(calendar.maxAgeMinutes, options.maxAgeMinutes ?? 5) * MINUTE,
    maxStaleMs: settingsNumber(calendar.maxStaleMinutes, options.maxStaleMinutes ?? 60) * MINUTE,
    onError: calendar.onError === 'ignore' ? ('ignore' as const) : ('hide' as const),
  };
}

function ms(value: string | null): number | null {
  return value ? Date.parse(value) : null;
}

function covers(s: { coveredFrom: string | null; coveredTo: string | null }, window: { from: Date; to: Date } | null): boolean {
  if (!window) return true;
  const from = ms(s.coveredFrom);
  const to = ms(s.coveredTo);
  return from !== null && to !== null && from <= window.from.getTime() && to >= window.to.getTime();
}

/**
 * The part of a window that can hold slots, and so needs calendar data: from a day before now (slots start at or
 * after now; a day covers any buffer) to the window's end. Null when the whole window is further in the past: it
 * needs no data and must never be hidden. Every refresh starts at the start of yesterday (UTC), so it always
 * covers this part's beginning; without the clamp, a month asked from its first day was never "covered".
 */
export function slotPart(window: { from: Date; to: Date }, now: Date): { from: Date; to: Date } | null {
  const from = Math.max(window.from.getTime(), now.getTime() - DAY);
  return from < window.to.getTime() ? { from: new Date(from), to: window.to } : null;
}

function iso(v: string): string {
  return new Date(v).toISOString();
}

/**
 * Per-process de-duplication of refreshes (the claim in SQL de-duplicates across servers): the latest refresh per
 * provider and the end of the range it reads. A caller needing a later end waits for it and then refreshes again,
 * so two months asked at once both get data.
 */
const inflight = new Map<string, { job: Promise<RefreshReport>; to: number; force: boolean }>();

/** The refresh running in the background for a provider, if any (tests and graceful shutdown await it). */
export function pendingRefresh(providerId: string): Promise<RefreshReport> | undefined {
  return inflight.get(providerId)?.job;
}

/**
 * Busy time from the cache for a window, at once. Sources that are stale are refreshed in the background; a source
 * that has never delivered data for this window is fetched first (bounded by the timeout) so a freshly connected
 * calendar is not ignored.
 * Example: `const { busy, hideWindow } = await getCachedBusy(db, provider.id, { from, to })`.
 */
export async function getCachedBusy(
  db: Db, providerId: string, window: { from: Date; to: Date }, options: CalendarCacheOptions = {},
): Promise<CachedBusy> {
  const read = () => db.rpc('get_calendar_cache', { p_provider_id: providerId, p_from: window.from, p_to: window.to });
  const { health, usable } = await assessSources(db, providerId, window, options, read);
  return { busy: sortedBusy(usable), ...health };
}

/**
 * The same verdict as `getCachedBusy` (stale, failing, hide; the same refreshes started or awaited) without reading
 * the busy intervals: the slots and booking paths take those from `get_busy`, so this reads only each source's sync
 * state (`get_calendar_health`), however many rows the cache holds.
 * Example: `const { hideWindow } = await getCalendarHealth(db, provider.id, { from, to })`.
 */
export async function getCalendarHealth(
  db: Db, providerId: string, window: { from: Date; to: Date }, options: CalendarCacheOptions = {},
): Promise<Omit<CachedBusy, 'busy'>> {
  const read = () => db.rpc('get_calendar_health', { p_provider_id: providerId });
  return (await assessSources(db, providerId, window, options, read)).health;
}

/** Reads the cache's sources (with `read`), refreshes what must be, and judges which sources can be trusted. */
async function assessSources<S extends HealthSource>(
  db: Db, providerId: string, window: { from: Date; to: Date }, options: CalendarCacheOptions,
  read: () => Promise<{ calendar: CalendarSettings; sources: S[] } | null>,
): Promise<{ health: Omit<CachedBusy, 'busy'>; usable: S[] }> {
  const now = (options.now ?? (() => new Date()))();
  let cache = await read();
  const healthy = { stale: false, failing: [], hideWindow: false };
  if (!cache || cache.sources.length === 0) return { health: healthy, usable: [] };

  const { maxAgeMs, maxStaleMs, onError } = limits(cache.calendar, options);
  // Only the part of the window that can hold slots needs data; a window wholly in the past needs none.
  const needed = slotPart(window, options.at ?? now);
  if (!needed) return { health: healthy, usable: cache.sources };
  const missing = cache.sources.some((s) => !s.failingSince && !(s.lastSuccessAt && covers(s, needed)));
  if (missing) {
    await refreshIfStale(db, providerId, { ...options, window });
    cache = (await read()) ?? cache;
  } else if (cache.sources.some((s) => s.failingSince || now.getTime() - (ms(s.lastSuccessAt) ?? 0) > maxAgeMs)) {
    startBackgroundRefresh(db, providerId, window, options);
  }

  const usable: S[] = [];
  const failing: string[] = [];
  let stale = false;
  let hideWindow = false;
  for (const s of cache.sources) {
    if (s.failingSince) failing.push(s.source);
    const age = now.getTime() - (ms(s.lastSuccessAt) ?? -Infinity);
    const trusted = s.lastSuccessAt !== null && covers(s, needed) && age <= maxStaleMs;
    if (!trusted) {
      if (onError === 'hide') hideWindow = true;
      stale = true;
      continue;
    }
    if (s.failingSince || age > maxAgeMs) stale = true;
    usable.push(s);
  }
  return { health: { stale, failing, hideWindow }, usable };
}

function sortedBusy(sources: CacheSource[]): BusyInterval[] {
  const busy = sources.flatMap((s) => s.busy.map((b) => ({ start: iso(b.start), end: iso(b.end) })));
  return busy.sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end));
}

function startBackgroundRefresh(db: Db, providerId: string, window: { from: Date; to: Date }, options: CalendarCacheOptions): void {
  refreshIfStale(db, providerId, { ...options, window }).catch((error: unknown) => {
    (options.log ?? console.warn)(`calendar refresh for provider ${providerId} failed: ${describeSourceError(error)}`);
  });
}

/**
 * Refreshes every source of a provider that is older than maxAgeMinutes, does not cover the window, or is failing
 * (all of them with `force`), in parallel, each within the timeout. Never throws for a source failure: it records
 * it (logged once per source and reason) and keeps the last good data.
 * Example: `await refreshIfStale(db, providerId, { window: { from, to } })` before confirming a booking.
 */
export function refreshIfStale(
  db: Db, providerId: string, options: CalendarCacheOptions & { window?: { from: Date; to: Date }; force?: boolean } = {},
): Promise<RefreshReport> {
  const at = options.at ?? (options.now ?? (() => new Date()))();
  const to = refreshRange(at, options).to.getTime();
  const running = inflight.get(providerId);
  if (running && running.to >= to && (running.force || !options.force)) return running.job;
  // A later end (or a forced refresh) than the one in flight: run after it, never alongside it.
  const job = (running ? running.job.catch(() => undefined) : Promise.resolve())
    .then(() => runRefresh(db, providerId, options))
    .finally(() => {
      if (inflight.get(providerId)?.job === job) inflight.delete(providerId);
    });
  inflight.set(providerId, { job, to, force: options.force ?? false });
  return job;
}

/**
 * What a refresh reads: from the start of yesterday (UTC) to the horizon or the window's end, whichever is later.
 * Example: at 2026-06-10T10:30Z with a 90-day horizon, 2026-06-09T00:00Z … 2026-09-08T10:30Z.
 */
function refreshRange(at: Date, options: CalendarCacheOptions & { window?: { from: Date; to: Date } }): { from: Date; to: Date } {
  const startOfYesterday = Math.floor((at.getTime() - DAY) / DAY) * DAY;
  const horizon = (options.horizonDays ?? 90) * DAY;
  return {
    from: new Date(startOfYesterday),
    to: new Date(Math.max(at.getTime() + horizon, options.window?.to.getTime() ?? -Infinity)),
  };
}

async function runRefresh(
  db: Db, providerId: string, options: CalendarCacheOptions & { window?: { from: Date; to: Date }; force?: boolean },
): Promise<RefreshReport> {
  const report: RefreshReport = { refreshed: [], failed: [], skipped: [] };
  const input = await db.rpc('get_calendar_refresh_input', { p_provider_id: providerId });
  if (!input) return report;
  const now = (options.now ?? (() => new Date()))();
  const log = options.log ?? console.warn;
  const { maxAgeMs, maxStaleMs, onError } = limits(input.calendar, options);
  const at = options.at ?? now;
  const needed = options.window ? slotPart(options.window, at) : { from: at, to: new Date(at.getTime() + DAY) };

  await Promise.all(
    input.sources.map(async (row) => {
      const age = now.getTime() - (ms(row.lastSuccessAt) ?? -Infinity);
      const due = options.force || age > maxAgeMs || !covers(row, needed);
      // Never narrow what a source covered (up to a year ahead): a refresh for this month must not make the
      // month a visitor just paged to "missing" again.
      const wanted = refreshRange(at, options);
      const kept = Math.min(ms(row.coveredTo) ?? -Infinity, at.getTime() + 366 * DAY);
      const range = { from: wanted.from, to: new Date(Math.max(wanted.to.getTime(), kept)) };
      if (!due) return void report.skipped.push(row.source);
      const claimed = await db.rpc('claim_calendar_refresh', {
        p_provider_id: providerId, p_source: row.source, p_min_interval_seconds: options.retryAfterSeconds ?? 30,
      });
      if (!claimed) return void report.skipped.push(row.source);

      let ics: IcsFeedState = {};
      const skipped: string[] = [];
      try {
        const source = sourceFromIntegration(row, {
          timezone: input.timezone,
          calendar: input.calendar,
          key: requireSecretsKey(options.secretsKey),
          google: options.google ?? null,
          microsoft: options.microsoft ?? null,
          onRotatedSecret: (secret) => saveRotatedSecret(db, providerId, row.source, secret, requireSecretsKey(options.secretsKey)),
          onIcsState: (state) => {
            ics = state;
          },
          onSkip: (what) => skipped.push(what),
        });
        const busy = await withTimeout((signal) => source.fetchBusy(range, signal), options.timeoutMs ?? 4000);
        const saved = await db.rpc('save_calendar_busy', {
          p_provider_id: providerId, p_source: row.source, p_from: range.from, p_to: range.to, p_busy: busy,
          p_etag: ics.etag ?? null, p_last_modified: ics.lastModified ?? null, p_body: ics.body ?? null,
        });
        await db.rpc('record_calendar_warning', { p_provider_id: providerId, p_source: row.source, p_warning: skippedWarning(skipped) });
        if (saved.recovered) log(`calendar source ${row.source} of provider ${providerId} recovered`);
        report.refreshed.push(row.source);
      } catch (error) {
        const reason = describeSourceError(error);
        // Past maxStaleMinutes with onError "ignore", the old rows must stop blocking bookings too.
        const expired = !(age <= maxStaleMs);
        const result = await db.rpc('record_calendar_failure', {
          p_provider_id: providerId, p_source: row.source, p_reason: reason, p_clear: expired && onError === 'ignore',
        });
        if (result.first) log(`calendar source ${row.source} of provider ${providerId} failing: ${reason}`);
        report.failed.push({ source: row.source, reason });
      }
    }),
  );
  return report;
}

/**
 * The health line for what a refresh left out, e.g. "2 events could not be read and do not count as busy:
 * VEVENT x@example.com: invalid date-time value …". Null when nothing was skipped. Never contains URLs.
 */
export function skippedWarning(skipped: string[]): string | null {
  if (skipped.length === 0) return null;
  const what = skipped.length === 1 ? '1 event could not be read and does not count as busy' : `${skipped.length} events could not be read and do not count as busy`;
  return redactUrls(`${what}: ${skipped.slice(0, 3).join('; ')}${skipped.length > 3 ? '; …' : ''}`).slice(0, 500);
}

/** Runs fn with an AbortSignal that fires after `ms`, and gives up at that moment even if fn ignores the signal. */
async function withTimeout<T>(fn: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error('timed out');
      error.name = 'TimeoutError';
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([fn(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
