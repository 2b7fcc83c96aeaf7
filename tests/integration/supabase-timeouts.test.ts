import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSupabaseDb } from '../../server/db/supabase.ts';
import { DbTimeoutError, DbUnavailableError, type Db } from '../../server/db/port.ts';
import type { Provider } from '../../server/providers/public.ts';
import { bookSql, makeProvider } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startSupabase, type SupabaseLocal } from '../support/supabase.ts';

// Supabase's API roles give up after 8 s (statement_timeout and lock_timeout); here they are made short so a held
// lock trips them quickly. Each case holds an EXCLUSIVE lock on `bookings` in another session (reads go on, writes
// wait), exactly what a long-running writer would do to a booking.
const NOW = new Date('2030-03-04T08:00:00Z');

let project: SupabaseLocal;
let db: Db;
let server: TestServer;
let provider: Provider;

beforeAll(async () => {
  project = await startSupabase({ timeouts: { statement: '20s', lock: '300ms' } });
  db = openSupabaseDb({ url: project.url, serviceRoleKey: project.serviceRoleKey });
  provider = await makeProvider(db, { slug: 'kim' });
  server = await startTestServer({ db, seed: false, localPayments: false, now: () => NOW });
});
afterAll(async () => {
  await server?.close();
  await project?.stop();
});

/** Runs fn while another session holds an EXCLUSIVE lock on public.bookings. */
async function whileBookingsLocked<T>(fn: () => Promise<T>): Promise<T> {
  const holder = await project.sql.reserve();
  try {
    await holder`begin`;
    await holder`lock table public.bookings in exclusive mode`;
    return await fn();
  } finally {
    await holder`rollback`;
    holder.release();
  }
}

function book(start: string) {
  return fetch(`${server.url}/api/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'kim', service: 'call', start, name: 'Sara', email: 'sara@example.com', timezone: 'UTC' }),
  });
}

async function bookingCount(): Promise<number> {
  const [{ n }] = await project.sql<{ n: number }[]>`select count(*)::int as n from public.bookings`;
  return n;
}

async function expectRetryable503(res: Response): Promise<void> {
  expect(res.status).toBe(503);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  const body = await res.json();
  expect(body).toMatchObject({ status: 503, type: expect.stringMatching(/\/unavailable$/) });
  expect(body.detail).toMatch(/busy/);
}

describe('a database timeout on Supabase is a retryable 503, not a 500', () => {
  it('lock_timeout (55P03): the adapter throws DbTimeoutError, the API answers 503 with Retry-After, nothing is written', async () => {
    await whileBookingsLocked(async () => {
      const error = await bookSql(db, provider, '2030-03-06T09:00:00Z').catch((e) => e);
      expect(error).toBeInstanceOf(DbTimeoutError);
      expect(error).toBeInstanceOf(DbUnavailableError);
      expect((error as DbTimeoutError).code).toBe('55P03');
      await expectRetryable503(await book('2030-03-06T10:00:00Z'));
    });
    expect(await bookingCount()).toBe(0);
    // Trying again once the lock is gone books the same time.
    expect((await book('2030-03-06T10:00:00Z')).status).toBe(201);
  });

  it('statement_timeout (57014): the same', async () => {
    await project.setTimeouts({ statement: '300ms', lock: '20s' });
    const before = await bookingCount();
    await whileBookingsLocked(async () => {
      const error = await bookSql(db, provider, '2030-03-07T09:00:00Z').catch((e) => e);
      expect(error).toBeInstanceOf(DbTimeoutError);
      expect((error as DbTimeoutError).code).toBe('57014');
      await expectRetryable503(await book('2030-03-07T10:00:00Z'));
    });
    expect(await bookingCount()).toBe(before);
    // Back to a generous timeout, so the retry cannot trip it on a loaded machine.
    await project.setTimeouts({ statement: '20s' });
    expect((await book('2030-03-07T10:00:00Z')).status).toBe(201);
  });
});
