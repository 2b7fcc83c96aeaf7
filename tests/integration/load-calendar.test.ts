/**
 * A calendar source that hangs or fails during load does not slow the slots endpoint (issue 7, "Load and faults";
 * cache rules of issue 5). Real pieces: PostgreSQL 15, `npm start`'s server as its own process (no slots answer
 * cache: SLOTS_CACHE_MS=0, so every request computes), an ICS feed connected with `connectIcs`, and a mixed load
 * on a provider with that calendar and one without, measured in the same run.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectIcs } from '../../server/calendars/connect.ts';
import { openPostgresDb } from '../../server/db/postgres.ts';
import { makeProvider } from '../support/fixtures.ts';
import { startIcsServer, type IcsServer } from '../support/ics-server.ts';
import { runLoad, summarize, type LoadResult } from '../support/load.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startServerProcess, type ServerProcess } from '../support/process.ts';

const KEY = randomBytes(32);
/** The per-source timeout of the busy cache (server/calendars/cache.ts): a request that waited for a hung source takes at least this. */
const SOURCE_TIMEOUT_MS = 4_000;
const HOUR = 3_600_000;

let pg: PostgresServer;
let sql: postgres.Sql;
let ics: IcsServer;
let server: ServerProcess;

/** Busy every day 10:00–12:00 UTC for the next 40 days: every window a visitor reads contains some. */
function feed(): string {
  const day = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
  const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//slotline//tests//EN',
    'BEGIN:VEVENT', 'UID:daily-busy', 'DTSTAMP:20260101T000000Z',
    `DTSTART:${stamp(new Date(day.getTime() + 10 * HOUR))}`, `DTEND:${stamp(new Date(day.getTime() + 12 * HOUR))}`,
    'RRULE:FREQ=DAILY;COUNT=40', 'END:VEVENT',
    'END:VCALENDAR', '',
  ].join('\r\n');
}

interface SlotsAnswer {
  status: number;
  ms: number;
  slots: { start: string }[];
  calendar: { stale: boolean; failing: boolean };
}

/** The next three days of slots for a provider, as a visitor's page asks for them. */
async function readSlots(slug: string): Promise<SlotsAnswer> {
  const from = new Date(Date.now() + HOUR).toISOString();
  const to = new Date(Date.now() + 3 * 86_400_000).toISOString();
  const t0 = Date.now();
  const res = await fetch(`${server.url}/api/providers/${slug}/slots?${new URLSearchParams({ service: 'call', from, to, tz: 'UTC' })}`, {
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as Omit<SlotsAnswer, 'status' | 'ms'>;
  return { status: res.status, ms: Date.now() - t0, slots: body.slots ?? [], calendar: body.calendar };
}

/** Slots starting inside a busy hour of the feed (10:00–12:00 UTC) for a 60-minute service. */
const overlapsBusy = (slots: { start: string }[]) =>
  slots.filter((s) => {
    const h = new Date(s.start).getUTCHours() + new Date(s.start).getUTCMinutes() / 60;
    return h > 9 && h < 12;
  });

/** Makes the cached data look `minutes` old and the last attempt long past, as if time had passed. */
async function age(minutes: number): Promise<void> {
  const n = await sql`
    update calendar_sync_state
       set last_success_at = now() - make_interval(mins => ${minutes}), last_attempt_at = now() - interval '10 minutes'`;
  expect(n.count).toBe(1);
}

/** Lets the next read start a refresh (the cache waits 30 s between attempts on one source). */
async function allowRetry(): Promise<void> {
  await sql`update calendar_sync_state set last_attempt_at = now() - interval '10 minutes'`;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/**
 * The same mixed load (readers, a booker, a canceller) on the calendar provider and on the plain one at once,
 * plus a sampler that records what the calendar provider's slots answer says about its calendar.
 */
async function loadBoth(durationMs: number) {
  const common = { urls: [server.url], durationMs, readers: 5, bookers: 1, cancellers: 1, timeoutMs: 15_000 };
  const samples: (SlotsAnswer & { at: number })[] = [];
  const started = Date.now();
  const sampler = (async () => {
    while (Date.now() - started < durationMs) {
      samples.push({ ...(await readSlots('cal')), at: Date.now() - started });
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const [cal, plain] = await Promise.all([
    runLoad({ ...common, providers: [{ slug: 'cal', service: 'call' }] }),
    runLoad({ ...common, providers: [{ slug: 'plain', service: 'call' }] }),
    sampler,
  ]);
  return { cal, plain, samples };
}

/** No 5xx or unanswered request anywhere, and no calendar read waited for the source. */
function expectSteady({ cal, plain, samples }: { cal: LoadResult; plain: LoadResult; samples: SlotsAnswer[] }) {
  for (const [name, result] of [['cal', cal], ['plain', plain]] as const) {
    const failures = result.answers.filter((a) => a.status === 0 || a.status >= 500);
    expect(failures, `${name}: ${JSON.stringify(summarize(result.answers))}`).toEqual([]);
  }
  const reads = (r: LoadResult) => r.answers.filter((a) => a.kind === 'read').map((a) => a.ms);
  const calReads = [...reads(cal), ...samples.map((s) => s.ms)];
  const plainReads = reads(plain);
  expect(calReads.length).toBeGreaterThan(20);
  expect(plainReads.length).toBeGreaterThan(20);
  // Waiting for the source even once would take the whole source timeout.
  expect(Math.max(...calReads), 'slowest slots answer with a broken calendar').toBeLessThan(SOURCE_TIMEOUT_MS);
  // Same server, same moment: the calendar costs a cache lookup, not the source's time.
  const calP99 = percentile(calReads, 99);
  const plainP99 = percentile(plainReads, 99);
  console.info(`slots reads: calendar ${calReads.length} p50 ${percentile(calReads, 50)} p99 ${calP99} max ${Math.max(...calReads)} ms; plain ${plainReads.length} p50 ${percentile(plainReads, 50)} p99 ${plainP99} ms`);
  expect(calP99, `p99 with calendar ${calP99} ms vs without ${plainP99} ms`).toBeLessThan(Math.max(4 * plainP99, plainP99 + 500));
  for (const s of samples) expect(s.status).toBe(200);
}

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase('slotline_calendar_load');
  const db = await openPostgresDb({ url });
  const settings = { booking: { slotStepMinutes: 30, horizonDays: 30, minNoticeMinutes: 0 } };
  await makeProvider(db, { slug: 'cal', settings });
  await makeProvider(db, { slug: 'plain', settings });
  ics = await startIcsServer(feed());
  const connected = await connectIcs(db, { slug: 'cal', url: ics.url, key: KEY });
  expect(connected.source).toMatch(/^ics:/);
  await db.close();
  server = await startServerProcess({
    DATABASE_URL: url, SEED_DEMO: '0', SECRETS_KEY: KEY.toString('base64'), SLOTS_CACHE_MS: '0', DEMO_PAYMENTS: '0',
  });
  sql = postgres(url, { max: 2, onnotice: () => {} });
}, 90_000);
afterAll(async () => {
  await sql?.end({ timeout: 2 });
  await server?.stop();
  await ics?.stop();
  await pg?.stop();
});

describe('a calendar source that hangs or fails during load', () => {
  let first: SlotsAnswer;

  it('warm: the first read fetches the feed; then no time inside its busy hours is offered', async () => {
    // A real feed takes a moment to answer; the answer that waited for it must already use it.
    ics.delayMs = 500;
    first = await readSlots('cal');
    ics.delayMs = 0;
    expect(first.status).toBe(200);
    expect(first.calendar).toEqual({ stale: false, failing: false });
    expect(first.slots.length).toBeGreaterThan(0);
    const second = await readSlots('cal');
    expect(second.calendar).toEqual({ stale: false, failing: false });
    expect(overlapsBusy(second.slots)).toEqual([]);
    const plain = await readSlots('plain');
    expect(overlapsBusy(plain.slots).length).toBeGreaterThan(0);
    expect(plain.calendar).toEqual({ stale: false, failing: false });
  }, 30_000);

  it('a freshly connected calendar already applies to the answer that fetched it', () => {
    expect(overlapsBusy(first.slots)).toEqual([]);
  });

  it('hangs (no answer): slots stay fast from the stale cache, then say the source is failing', async () => {
    await age(10); // older than maxAgeMinutes (5), well within maxStaleMinutes (60)
    ics.delayMs = 60_000;
    const run = await loadBoth(8_000);
    expectSteady(run);
    expect(run.samples.every((s) => s.calendar.stale), 'every answer says the data is stale').toBe(true);
    expect(run.samples.every((s) => s.slots.length > 0 && overlapsBusy(s.slots).length === 0), 'last good busy time still applies').toBe(true);
    // The refresh gives up after the source timeout and records the failure; later answers say so.
    const late = run.samples.filter((s) => s.at > SOURCE_TIMEOUT_MS + 2_000);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((s) => s.calendar.failing), JSON.stringify(run.samples.map((s) => [s.at, s.calendar]))).toBe(true);
    const [state] = await sql<{ last_error: string }[]>`select last_error from calendar_sync_state`;
    expect(state.last_error).toMatch(/time/i);
    expect(state.last_error).not.toContain('7f3a9c2e5b1d'); // the feed address is a secret
  }, 30_000);

  it('recovers by itself once the source answers again', async () => {
    ics.delayMs = 0;
    await allowRetry();
    const deadline = Date.now() + 10_000;
    let last: SlotsAnswer;
    do {
      last = await readSlots('cal');
      await new Promise((r) => setTimeout(r, 100));
    } while ((last.calendar.stale || last.calendar.failing) && Date.now() < deadline);
    expect(last.calendar).toEqual({ stale: false, failing: false });
    expect(overlapsBusy(last.slots)).toEqual([]);
  }, 30_000);

  it('fails (500): slots stay fast from the stale cache and say stale and failing', async () => {
    await age(10);
    ics.status = 500;
    const run = await loadBoth(6_000);
    expectSteady(run);
    expect(run.samples.every((s) => s.calendar.stale)).toBe(true);
    expect(run.samples.every((s) => s.slots.length > 0 && overlapsBusy(s.slots).length === 0)).toBe(true);
    const late = run.samples.filter((s) => s.at > 2_000);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((s) => s.calendar.failing), JSON.stringify(run.samples.map((s) => [s.at, s.calendar]))).toBe(true);
    const [state] = await sql<{ last_error: string }[]>`select last_error from calendar_sync_state`;
    expect(state.last_error).toMatch(/500/);
  }, 30_000);

  it('past maxStaleMinutes with onError "hide" (default): no slots offered, still fast, never 5xx', async () => {
    await age(120);
    const answers = await Promise.all(Array.from({ length: 20 }, () => readSlots('cal')));
    const plain = await Promise.all(Array.from({ length: 20 }, () => readSlots('plain')));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.slots).toEqual([]);
      expect(a.calendar).toEqual({ stale: true, failing: true });
      expect(a.ms).toBeLessThan(SOURCE_TIMEOUT_MS);
    }
    for (const p of plain) expect(p.slots.length).toBeGreaterThan(0);
  }, 30_000);
});
