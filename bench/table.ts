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
    `| Slots endpoint, ${label}: one month of \`demo\` (${r.slotsPerResponse} slots, ${r.demoBookings} bookings), ${r.connections} connections × ${r.seconds} s | ${figures(r.slots)} | hello world on the same server: ${figures(r.hello)} | ${r.ratio.toFixed(3)} (target ≥ 0.5: ${verdict(r.ratio >= 0.5)}) |`,
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
      `| Bookings via \`POST /api/bookings\` (${int(b.rows)} rows, ${b.providers} providers, ${b.concurrency} concurrent) | ${int(b.httpPerSec)} bookings/s${other.length ? ` (non-201: ${other.map(([s, n]) => `${n}× ${s}`).join(', ')})` : ''} | plain \`INSERT\` of the same rows: ${int(b.insertPerSec)} rows/s | ${b.ratio.toFixed(2)} |`,
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
  rows.push(
    '',
    `Measured ${r.measuredAt.slice(0, 16).replace('T', ' ')} UTC with \`npm run bench\` on ${r.machine.cores} × ${r.machine.cpu}, Node ${r.machine.node}; loopback only.${r.distStale ? ' Warning: `dist/` was older than its sources.' : ''}`,
  );
  return rows.join('\n');
}
