/**
 * A small mixed-load driver for tests: visitors reading slots, a few booking (retrying 503s with
 * the same idempotency key, as the booking page does), some cancelling through the manage link —
 * against several server URLs for a fixed time. It records every answer so a test can check them.
 */

export interface LoadAnswer {
  at: number;
  kind: 'read' | 'book' | 'cancel';
  status: number;
  /** Problem type (last path segment) of an error answer. */
  problem?: string;
  /** Set when the request got no answer (timeout, connection refused). */
  error?: string;
  ms: number;
}

export interface LoadResult {
  answers: LoadAnswer[];
  /** Bookings acknowledged with 201 (or a 200 replay of one): id → manage token. */
  booked: Map<string, string>;
  /** Bookings a cancel answered as cancelled. */
  cancelled: Set<string>;
  /** Bookings whose cancel never got a clear answer (database down through every retry): either state is right. */
  uncertain: Set<string>;
}

export interface LoadOptions {
  urls: string[];
  providers: { slug: string; service: string }[];
  durationMs: number;
  readers: number;
  bookers: number;
  cancellers: number;
  /** Per-request time limit (a request slower than this counts as an error). */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T,>(items: T[]): T => items[Math.floor(Math.random() * items.length)];

/** Runs the load and resolves when every visitor has finished its last request. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { urls, providers, durationMs, timeoutMs = 10_000 } = options;
  const started = Date.now();
  const end = started + durationMs;
  const result: LoadResult = { answers: [], booked: new Map(), cancelled: new Set(), uncertain: new Set() };
  let keys = 0;
  // Idempotency keys are unique per run: a key reused by a later run would replay an old booking.
  const run = Math.random().toString(36).slice(2, 10);

  async function call(kind: LoadAnswer['kind'], url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
    const t0 = Date.now();
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      const type = res.headers.get('content-type') ?? '';
      const body = /json/.test(type) && text ? (JSON.parse(text) as unknown) : null;
      const problem = /problem\+json/.test(type) ? String((body as { type?: string }).type ?? '').split('/').pop() : undefined;
      result.answers.push({ at: t0 - started, kind, status: res.status, problem, ms: Date.now() - t0 });
      return { status: res.status, body };
    } catch (error) {
      result.answers.push({ at: t0 - started, kind, status: 0, error: (error as Error).message, ms: Date.now() - t0 });
      return { status: 0, body: null };
    }
  }

  const slotsOf = async (p: { slug: string; service: string }, days: number) => {
    const from = new Date(Date.now() + Math.floor(Math.random() * 5) * 86_400_000).toISOString();
    const to = new Date(Date.parse(from) + days * 86_400_000).toISOString();
    const q = new URLSearchParams({ service: p.service, from, to, tz: pick(['UTC', 'Asia/Dubai', 'America/New_York']) });
    const { status, body } = await call('read', `${pick(urls)}/api/providers/${p.slug}/slots?${q}`);
    return status === 200 ? (body as { slots: { start: string }[] }).slots : [];
  };

  async function reader() {
    while (Date.now() < end) await slotsOf(pick(providers), 7);
  }

  async function booker(n: number) {
    while (Date.now() < end) {
      const p = pick(providers);
      const slots = await slotsOf(p, 3);
      if (!slots.length) {
        await sleep(50);
        continue;
      }
      const body = JSON.stringify({
        provider: p.slug, service: p.service, start: pick(slots.slice(0, 40)).start,
        name: `Load ${n}`, email: `load${n}@example.com`, idempotencyKey: `load-${run}-${n}-${++keys}`,
      });
      // Retry an unavailable answer with the same key a few times, as a careful client would.
      for (let attempt = 0; attempt < 4 && Date.now() < end + 5_000; attempt++) {
        const { status, body: answer } = await call('book', `${pick(urls)}/api/bookings`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body,
        });
        if (status === 201 || status === 200) {
          const b = answer as { booking: { id: string }; manageUrl: string };
          result.booked.set(b.booking.id, b.manageUrl.split('/b/')[1]);
        }
        if (status !== 503 && status !== 0) break;
        await sleep(400);
      }
    }
  }

  async function canceller() {
    while (Date.now() < end) {
      const entries = [...result.booked.entries()].filter(([id]) => !result.cancelled.has(id));
      if (entries.length < 3) {
        await sleep(100);
        continue;
      }
      const [id, token] = pick(entries);
      // Cancelling twice is harmless (the second answers with the cancelled booking), so 503s are retried.
      let answered = false;
      for (let attempt = 0; attempt < 4 && !answered; attempt++) {
        const { status, body } = await call('cancel', `${pick(urls)}/api/bookings/${token}/cancel`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":"load test"}',
        });
        answered = status !== 503 && status !== 0;
        if (status === 200 && (body as { booking?: { status?: string } }).booking?.status === 'cancelled') result.cancelled.add(id);
        if (!answered) await sleep(400);
      }
      if (!answered) result.uncertain.add(id);
      await sleep(150);
    }
  }

  await Promise.all([
    ...Array.from({ length: options.readers }, reader),
    ...Array.from({ length: options.bookers }, (_, i) => booker(i)),
    ...Array.from({ length: options.cancellers }, canceller),
  ]);
  return result;
}

/** Counts per status (and per problem type for errors), for readable failure messages. */
export function summarize(answers: LoadAnswer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) {
    const key = `${a.kind} ${a.status}${a.problem ? ` ${a.problem}` : ''}${a.error ? ` ${a.error}` : ''}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
