import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { startAppServer, type AppServer } from '../support/app-client.ts';
import { startFakeWhatsApp } from '../support/fake-whatsapp.ts';
import { makeProvider } from '../support/fixtures.ts';
import { until } from '../support/until.ts';
import { sendTemplate, WhatsAppApiError } from '../../server/notify/whatsapp-cloud.ts';
import { readConfig } from '../../server/config.ts';

/** The optional WhatsApp Cloud API path, against a local fake of the Graph endpoint. */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = (() => {
  const t = new Date(Date.now() + 14 * DAY);
  t.setUTCHours(6, 0, 0, 0);
  while (t.getUTCDay() !== 1) t.setTime(t.getTime() + DAY);
  return t;
})();
const at = (days: number, hours: number) => new Date(NOW.getTime() + days * DAY + hours * HOUR).toISOString();
const TOKEN = 'EAAG-test-access-token-never-logged';

let graph: Awaited<ReturnType<typeof startFakeWhatsApp>>;
let server: AppServer;
let pg: PGlite;

beforeAll(async () => {
  graph = await startFakeWhatsApp({ token: TOKEN, phoneNumberId: '1098765' });
  server = await startAppServer({
    start: NOW,
    env: { WHATSAPP_TOKEN: TOKEN, WHATSAPP_PHONE_NUMBER_ID: '1098765', WHATSAPP_API_BASE: graph.url, WHATSAPP_API_VERSION: 'v21.0', JOBS_BACKOFF_MS: '50' },
  });
  pg = (server.db as unknown as { pg: PGlite }).pg;
  await makeProvider(server.db, {
    slug: 'zaid', timezone: 'Asia/Dubai',
    settings: { booking: { slotStepMinutes: 60, minNoticeMinutes: 0, horizonDays: 60 } },
    services: [{ slug: 'consult', title: 'Consultation', durationMinutes: 60 }],
  });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await graph?.close();
});

async function book(body: Record<string, unknown>) {
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'zaid', service: 'consult', timezone: 'Asia/Dubai', ...body }),
  });
  expect(res.status).toBe(201);
  const data = await res.json();
  return { id: data.booking.id as string, manageUrl: data.manageUrl as string };
}
const waRows = async (bookingId: string) => (await pg.query<{ kind: string; status: string; attempts: number; last_error: string | null; body_text: string | null }>(
  "select kind, status, attempts, last_error, body_text from outbox where booking_id = $1 and channel = 'whatsapp' order by id", [bookingId])).rows;

describe('WhatsApp Cloud API (optional)', () => {
  it('sends the confirmation template to a phone-only visitor: documented request shape and parameters', async () => {
    const before = graph.requests.length;
    const b = await book({ start: at(2, 4), name: 'Yara', phone: '+971 50 123 4567', lang: 'ar' });
    await until(async () => (await waRows(b.id))[0]?.status === 'sent', 'the WhatsApp confirmation');
    const [req, ...more] = graph.requests.slice(before);
    expect(more).toEqual([]);
    expect(req.path).toBe('/v21.0/1098765/messages');
    expect(req.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.body).toMatchObject({
      messaging_product: 'whatsapp', to: '971501234567', type: 'template',
      template: { name: 'booking_confirmation', language: { code: 'ar' } },
    });
    const params = req.body.template.components[0].parameters.map((p: { text: string }) => p.text);
    expect(params).toHaveLength(4);
    expect(params[0]).toBe('Yara');
    expect(params[1]).toBe('Consultation — Provider zaid');
    expect(params[2]).toContain('(Asia/Dubai)');
    expect(params[3]).toBe(b.manageUrl);
    // Kept for the app without the manage token; the access token appears nowhere.
    const [row] = await waRows(b.id);
    expect(row.body_text).not.toContain(b.manageUrl.split('/b/')[1]);
    expect(server.logs.join('\n')).not.toContain(TOKEN);
  });

  it('retries throttling (429) and fails at once on a refused template (400, code 132001), with the error on the row', async () => {
    graph.failNext({ status: 429, code: 130429, message: 'Rate limit hit' });
    const retried = await book({ start: at(2, 6), name: 'Omar', phone: '+971501112233' });
    await until(async () => (await waRows(retried.id))[0]?.status === 'sent', 'the retried message');
    expect((await waRows(retried.id))[0]).toMatchObject({ status: 'sent', attempts: 2, last_error: expect.stringMatching(/429 \(code 130429\)/) });

    graph.failNext({ status: 400, code: 132001, message: 'Template name does not exist in the translation' });
    const refused = await book({ start: at(2, 8), name: 'Lina', phone: '+971504445566' });
    await until(async () => (await waRows(refused.id))[0]?.status === 'failed', 'the refused message');
    const job = async () => (await pg.query<{ status: string; attempts: number }>(
      "select j.status, j.attempts from jobs j join outbox o on j.payload ->> 'outboxId' = o.id::text where j.kind = 'notify.whatsapp' and o.booking_id = $1", [refused.id])).rows[0];
    await until(async () => (await job())?.status === 'failed', 'the job to fail for good');
    expect((await job()).attempts).toBe(1);
    expect((await waRows(refused.id))[0].last_error).toMatch(/400 \(code 132001\): Template name does not exist/);
  });

  it('the client: a bad token is a permanent WhatsAppApiError; without the variables the API is off', async () => {
    const cloud = readConfig({ WHATSAPP_TOKEN: 'wrong', WHATSAPP_PHONE_NUMBER_ID: '1098765', WHATSAPP_API_BASE: graph.url }).whatsappCloud!;
    const err = await sendTemplate(cloud, { to: '+971500000000', template: 't', lang: 'en', parameters: ['a'] }).catch((e) => e);
    expect(err).toBeInstanceOf(WhatsAppApiError);
    expect(err).toMatchObject({ status: 401, code: 190, retryable: false });
    expect(readConfig({}).whatsappCloud).toBeNull();
    expect(readConfig({ WHATSAPP_TOKEN: 'x' }).whatsappCloud).toBeNull();
  });

  it('without the Cloud API the WhatsApp rows are skipped and nothing is called', async () => {
    const off = await startAppServer({ start: NOW });
    try {
      await makeProvider(off.db, { slug: 'zaid', timezone: 'Asia/Dubai', settings: { booking: { slotStepMinutes: 60, minNoticeMinutes: 0, horizonDays: 60 } } });
      const before = graph.requests.length;
      const res = await fetch(`${off.url}/api/bookings`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'zaid', service: 'call', start: at(2, 4), name: 'Yara', phone: '+971501234567' }),
      });
      const { booking } = await res.json();
      const db = (off.db as unknown as { pg: PGlite }).pg;
      await until(async () => (await db.query<{ status: string }>("select status from outbox where booking_id = $1 and channel = 'whatsapp'", [booking.id])).rows[0]?.status === 'skipped', 'the skipped row');
      expect(graph.requests.length).toBe(before);
    } finally {
      await off.close();
    }
  });
});
