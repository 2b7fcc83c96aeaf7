import type { Results } from './run.ts';
import type { SlotsVsHello } from './http.ts';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n < 10 ? n.toFixed(2) : int(n)} ms`;
/** autocannon records whole milliseconds. */
const latency = (n: number) => (n < 1 ? '< 1 ms' : `${int(n)} ms`);
const bytes = (n: number) => `${int(n)} B`;
const verdict = (ok: boolean) => (ok ? 'met' : 'missed');
const missing = (why?: string) => (why ? `not measured (${why})` : 'not measured');

function httpRows(label: string, r: SlotsVsHello | null, error?: string): string[] {
  if (!r) return [`| Slots endpoint, ${label} | ${missing(error)} | | |`];
  const figures = (f: SlotsVsHello['hello']) =>
    `${int(f.reqPerSec)} req/s, p50 ${latency(f.p50Ms)}, p99 ${latency(f.p99Ms)}${f.non2xx || f.errors ? `, ${f.non2xx} non-2xx, ${f.errors} errors` : ''}`;
  return [
    `| Slots endpoint, ${label}: one month of \`demo\` (${r.slotsPerResponse} slots, ${r.demoBookings} bookings) at the page's compact \`/api/v2/…\` URL, brotli, ${r.connections} connections × ${r.seconds} s | ${figures(r.slots)} | hello world on the same server: ${figures(r.hello)} | ${r.ratio.toFixed(3)} (target ≥ 0.6: ${verdict(r.ratio >= 0.6)}) |`,
    ...(r.v1 ? [`| … the same month at the v1 URL (\`{start, end}\` pairs, uncompressed, as before issue 16) | ${figures(r.v1.slots)} | the same hello | ${r.v1.ratio.toFixed(3)} |`] : []),
  ];
}

/**
 * The README's Performance table: each figure next to its same-run reference.
 *
 * @example console.log(markdownTable(JSON.parse(readFileSync('bench/results.json', 'utf8'))));
 */
export function markdownTable(r: Results): string {
  const rows = ['| Figure | Measured | Reference (same run) | Ratio / target |', '|---|---|---|---|'];
  const e = r.engine;
  rows.push(
    e
      ? `| Slot engine: 60 days, 3 ranges a day, ${int(e.busy)} busy, 15-min step | ${ms(e.msPer60Days)} per computation | 1 day: ${ms(e.msPer1Day)} | ${e.ratio.toFixed(1)}× (target < 2 ms: ${verdict(e.msPer60Days < 2)}) |`
      : `| Slot engine | ${missing(r.errors['slot engine'])} | | |`,
  );
  rows.push(...httpRows('PostgreSQL', r.http.postgres, r.errors['slots vs hello (PostgreSQL)']));
  rows.push(...httpRows('embedded PGlite', r.http.embedded, r.errors['slots vs hello (embedded)']));
  const b = r.bookings;
  if (b) {
    const other = Object.entries(b.httpStatuses).filter(([s]) => s !== '201');
    rows.push(
      `| Bookings via \`POST /api/bookings\` (${int(b.rows)} rows, ${b.providers} providers, ${b.concurrency} concurrent) | ${int(b.httpPerSec)} bookings/s${other.length ? ` (non-201: ${other.map(([s, n]) => `${n}× ${s}`).join(', ')})` : ''} | plain \`INSERT\` of the same rows: ${int(b.insertPerSec)} rows/s | ${b.ratio.toFixed(2)} (target ≥ 0.3: ${verdict(b.ratio >= 0.3)}) |`,
      `| Race: ${b.contended.requests} concurrent bookings for ${b.contended.slots} slots | ${b.contended.created} × 201, ${b.contended.conflicts} × 409${b.contended.other ? `, ${b.contended.other} other` : ''} | one 201 per slot | ${verdict(b.contended.created === b.contended.slots && b.contended.other === 0)} |`,
      `| Double bookings (self-join on \`occupied &&\` over all live bookings) | ${b.doubleBookings} | acknowledged (201) bookings missing: ${b.acknowledgedMissing} | must be 0: ${verdict(b.doubleBookings === 0 && b.acknowledgedMissing === 0)} |`,
    );
  } else {
    rows.push(`| Bookings via \`POST /api/bookings\` | ${missing(r.errors['bookings vs INSERT'])} | | |`);
  }
  const t = r.roundTrips;
  rows.push(
    t
      ? `| Database round trips per visitor booking (free service, no calendars; ${t.bookings} bookings counted through the port) | ${t.perBooking} (${t.calls.map((c) => `\`${c}\``).join(', ')}) | 6 before issue 16 | target 1: ${verdict(t.perBooking <= 1)} |`
      : `| Database round trips per booking | ${missing(r.errors['round trips per booking'])} | | |`,
  );
  const s = r.sizes;
  if (s) {
    rows.push(
      `| \`widget.js\`, gzip -9 | ${bytes(s.widgetJs.gzipBytes)} | raw ${bytes(s.widgetJs.bytes)} | |`,
      `| Booking page JS + CSS (${s.pageAssets.files.length} files), gzip -9 | ${bytes(s.pageAssets.gzipBytes)} | raw ${bytes(s.pageAssets.bytes)} | |`,
      `| First HTML response of \`/c/demo\`, gzip -9 | ${bytes(s.firstHtml.gzipBytes)} | raw ${bytes(s.firstHtml.bytes)} | |`,
    );
    if (s.slots) {
      const enc = (e: { raw: number; gzip: number; br: number }) => `${bytes(e.raw)} raw, ${bytes(e.gzip)} gzip, ${bytes(e.br)} br`;
      rows.push(
        `| One month of \`demo\` slots as sent, compact v2 (what the page reads) | ${enc(s.slots.v2)} | v1 \`{start, end}\` pairs: ${enc(s.slots.v1)} | ${(s.slots.v2.raw / s.slots.v1.raw).toFixed(2)} of v1 raw (target ≤ 8 KB raw: ${verdict(s.slots.v2.raw <= 8 * 1024)}) |`,
      );
    }
    if (s.appJs) {
      rows.push(
        `| Provider app JS (${s.appJs.files} file${s.appJs.files === 1 ? '' : 's'}), gzip -9 | ${bytes(s.appJs.gzipBytes)} | raw ${bytes(s.appJs.bytes)} | budget 80 KB: ${verdict(s.appJs.gzipBytes <= 80 * 1024)} |`,
      );
    }
  } else {
    rows.push(`| Transfer sizes | ${missing(r.errors.sizes)} | | |`);
  }
  const l = r.lighthouse;
  if (l && l.performance !== null && l.accessibility !== null) {
    rows.push(
      `| Lighthouse ${l.lighthouseVersion} (mobile), \`/c/demo\`: performance / accessibility | ${l.performance} / ${l.accessibility} | | |`,
      `| Lighthouse LCP (simulated mobile) | ${l.lcpMs === null ? 'n/a' : ms(l.lcpMs)} | | |`,
    );
  } else {
    rows.push(`| Lighthouse (mobile), \`/c/demo\` | ${missing(l?.error ?? r.errors.lighthouse)} | | |`);
  }
  const f = r.freshness;
  rows.push(
    f
      ? `| A booking on instance A seen by instance B's cached slots (PostgreSQL, two servers, B's month warm, ${f.trials} trials, B asked every ${f.pollEveryMs} ms) | median ${ms(f.medianMs)} (of which B computing the month again: ${ms(f.recomputeMedianMs)}), max ${ms(f.maxMs)} | without notifications: up to the cache TTL, \`SLOTS_CACHE_MS\` = ${int(f.cacheTtlMs)} ms | target ≤ 100 ms: ${verdict(f.maxMs <= 100)} |`
      : `| A booking on instance A seen by instance B's cached slots | ${missing(r.errors.freshness)} | | |`,
  );
  rows.push(...scaleRows(r));
  rows.push(
    '',
    `Measured ${r.measuredAt.slice(0, 16).replace('T', ' ')} UTC with \`npm run bench\` on ${r.machine.cores} × ${r.machine.cpu}, Node ${r.machine.node}; loopback only.${r.distStale ? ' Warning: `dist/` was older than its sources.' : ''}`,
  );
  return rows.join('\n');
}

/** As data grows (issue 16): the same providers in a large and a small database (`bench/scale.ts`). */
function scaleRows(r: Results): string[] {
  const x = r.scale;
  if (!x) return [`| As data grows (large ÷ small database) | ${missing(r.errors.scale)} | | |`];
  const { large: l, small: s } = x;
  const size = `${int(l.providers)} providers, ${int(l.bookings)} bookings, ${int(l.externalBusy)} cached busy rows`;
  const goal = (ratio: number) => `${ratio.toFixed(2)} (target ≥ 0.9: ${verdict(ratio >= 0.9)})`;
  const calls = Object.entries(x.perCallMs).filter(([name]) => name !== 'get_calendar_cache').map(([name, v]) => `\`${name}\` ${ms(v)}`);
  return [
    `| Month slots uncached (\`SLOTS_CACHE_MS=0\`), busiest provider, large database (${size}); ${x.workers} workers × ${x.seconds} s, requests paired across the two servers | p50 ${ms(l.busiestP50Ms)} | small database (${s.providers} providers, ${int(s.bookings)} bookings): p50 ${ms(s.busiestP50Ms)} | ${goal(x.busiestRatio)} |`,
    `| Month slots uncached, a typical provider, large database | p50 ${ms(l.typicalP50Ms)} | small database: p50 ${ms(s.typicalP50Ms)} | ${goal(x.typicalRatio)} |`,
    `| Bookings via \`POST /api/bookings\`, large database | ${int(l.bookingsPerSec)} bookings/s | small database: ${int(s.bookingsPerSec)} bookings/s | ${goal(x.bookingsRatio)} |`,
    `| Hold sweep \`expire_holds()\`, large database | ${ms(x.sweepMs.indexed)} | without its partial index: ${ms(x.sweepMs.withoutIndex)} | |`,
    `| SQL per call on the slots path, busiest provider, large database | ${calls.join(', ')} | \`get_calendar_cache\` (the busy rows the slots path no longer reads): ${ms(x.perCallMs.get_calendar_cache)} | |`,
    `| Seeding in SQL (\`generate_series\`) | large: ${l.seedSeconds} s | small: ${s.seedSeconds} s | |`,
  ];
}
