/**
 * Slots endpoint against a hello-world route on the same server process, same run (issue 3):
 * requests per second of each with autocannon on 127.0.0.1, their ratio (target ≥ 0.6, issue 16), and
 * p50/p99 latency. Every response is expected to be a 2xx; anything else is counted and shown.
 * The slots URL is the one the booking page reads (`/api/v2/…`, compact, asked with a browser's
 * `Accept-Encoding`); the v1 URL API clients read (no compression asked) is measured beside it.
 */
import autocannon from 'autocannon';

const DAY = 86_400_000;

export interface LoadFigures {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

export interface SlotsVsHello {
  /** The page's URL (v2, compact), asked with `Accept-Encoding: gzip, deflate, br`. */
  path: string;
  slotsPerResponse: number;
  demoBookings: number;
  connections: number;
  seconds: number;
  hello: LoadFigures;
  slots: LoadFigures;
  /** slots req/s ÷ hello req/s. */
  ratio: number;
  /** The same month at the v1 URL (`{start, end}` pairs, ~29 KB), without compression, as before issue 16. */
  v1: { path: string; slots: LoadFigures; ratio: number };
}

/** What a browser sends; the v2 answer comes back as brotli. */
const BROWSER_HEADERS = { 'accept-encoding': 'gzip, deflate, br' };

/** `YYYY-MM-DD` of an instant in a zone. */
function localDate(at: number, zone: string): string {
  return new Date(at).toLocaleDateString('en-CA', { timeZone: zone });
}

async function load(url: string, connections: number, seconds: number, headers?: Record<string, string>): Promise<LoadFigures> {
  const r = await autocannon({ url, connections, duration: seconds, headers });
  return {
    // Only successful answers count as throughput.
    reqPerSec: Math.round(r['2xx'] / r.duration),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r['2xx'] + r.non2xx,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/**
 * A month view of the demo provider as the booking page asks for it (whole local days from tomorrow), at the v1 URL;
 * the page's own is the same under `/api/v2/`.
 */
export function demoMonthPath(now = Date.now()): string {
  const zone = 'Asia/Dubai';
  return `/api/providers/demo/slots?service=intro&from=${localDate(now + DAY, zone)}&to=${localDate(now + 31 * DAY, zone)}`;
}

/**
 * Gives the demo provider a realistic month: books every 15th offered slot of the window
 * through the API (so `get_busy` returns real bookings), then returns the slots path measured.
 */
async function prepareDemo(base: string): Promise<{ path: string; pathV1: string; slotsPerResponse: number; demoBookings: number }> {
  const path = demoMonthPath();
  const first = (await (await fetch(base + path)).json()) as { slots: { start: string }[] };
  let demoBookings = 0;
  for (let i = 7; i < first.slots.length; i += 15) {
    const res = await fetch(`${base}/api/bookings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'demo', service: 'intro', start: first.slots[i].start, name: 'Bench visitor', email: `demo${i}@example.com` }),
    });
    if (res.status !== 201) throw new Error(`seeding the demo provider: POST /api/bookings answered ${res.status}: ${await res.text()}`);
    demoBookings++;
  }
  const after = (await (await fetch(base + path)).json()) as { slots: unknown[] };
  return { path: path.replace('/api/', '/api/v2/'), pathV1: path, slotsPerResponse: after.slots.length, demoBookings };
}

/**
 * Measures hello then slots, `seconds` each with `connections` connections, after a warm-up
 * of both.
 *
 * @example const r = await benchSlotsVsHello('http://127.0.0.1:8787'); r.ratio // e.g. 0.6
 */
export async function benchSlotsVsHello(
  base: string,
  options: { connections?: number; seconds?: number; warmupSeconds?: number } = {},
): Promise<SlotsVsHello> {
  const connections = options.connections ?? 10;
  const seconds = options.seconds ?? 8;
  const warmup = options.warmupSeconds ?? 2;
  const { pathV1, ...demo } = await prepareDemo(base);
  const helloUrl = `${base}/bench/hello`;
  const slotsUrl = base + demo.path;

  await load(helloUrl, connections, warmup, BROWSER_HEADERS);
  await load(slotsUrl, connections, warmup, BROWSER_HEADERS);
  const hello = await load(helloUrl, connections, seconds, BROWSER_HEADERS);
  const slots = await load(slotsUrl, connections, seconds, BROWSER_HEADERS);
  const slotsV1 = await load(base + pathV1, connections, seconds);
  const ratio = (f: LoadFigures) => Math.round((f.reqPerSec / hello.reqPerSec) * 1000) / 1000;
  return {
    ...demo,
    connections,
    seconds,
    hello,
    slots,
    ratio: ratio(slots),
    v1: { path: pathV1, slots: slotsV1, ratio: ratio(slotsV1) },
  };
}
