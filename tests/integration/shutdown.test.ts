/**
 * Graceful shutdown of `npm start` with the embedded database (issue 7): a signal lets in-flight
 * requests finish, refuses new ones, closes the database and exits 0; what was written is there
 * after a restart on the same DATA_DIR.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../support/process.ts';

const NO_RATE_LIMITS = { RATE_LIMIT_BOOKINGS_PER_IP: '0', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0' };
const dirs: string[] = [];
const running: ServerProcess[] = [];

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop('SIGKILL')));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(dataDir: string): Promise<ServerProcess> {
  const server = await startServerProcess({ DATA_DIR: dataDir, ...NO_RATE_LIMITS });
  running.push(server);
  return server;
}

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slotline-shutdown-'));
  dirs.push(dir);
  return dir;
}

/** Free demo starts more than a day ahead (the demo lets visitors cancel until 12 hours before). */
async function demoStarts(server: ServerProcess): Promise<string[]> {
  const res = await fetch(`${server.url}/api/providers/demo/slots?service=intro`);
  expect(res.status).toBe(200);
  const starts = ((await res.json()) as { slots: { start: string }[] }).slots.map((s) => s.start);
  return starts.filter((s) => Date.parse(s) > Date.now() + 86_400_000);
}

async function book(server: ServerProcess, start: string, name: string): Promise<{ id: string; token: string }> {
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'demo', service: 'intro', start, name, email: 'visitor@example.com' }),
  });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { booking: { id: string }; manageUrl: string };
  return { id: body.booking.id, token: body.manageUrl.split('/b/')[1] };
}

/** Resolves with the raw response once the server closes the connection. */
function responseOf(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    socket.on('data', (d) => (data += d.toString('utf8')));
    socket.on('close', () => resolve(data));
    socket.on('error', (e) => (data ? resolve(data) : reject(e)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('graceful shutdown (embedded database)', () => {
  it('SIGTERM while a booking is being uploaded: it still completes, new requests are refused, exit 0, the booking survives', async () => {
    const dataDir = newDataDir();
    const server = await start(dataDir);
    const [first] = await demoStarts(server);

    // A visitor on a slow connection: headers and half the body are in when the signal arrives.
    const body = Buffer.from(JSON.stringify({ provider: 'demo', service: 'intro', start: first, name: 'Slow upload', email: 'slow@example.com' }));
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    const answer = responseOf(socket);
    socket.write(
      `POST /api/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`,
    );
    socket.write(body.subarray(0, 20));
    await sleep(400);

    const exited = server.stop('SIGTERM');
    await sleep(500);
    expect(server.child.exitCode, 'still finishing the upload').toBeNull();

    // Anyone new is turned away: the port is closed (refused) or the answer is a 503 problem.
    const late = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5_000) }).then(
      async (r) => ({ status: r.status, type: r.headers.get('content-type') ?? '' }),
      (e: Error) => ({ status: 0, type: String((e.cause as { code?: string })?.code ?? e.message) }),
    );
    if (late.status === 0) expect(late.type).toMatch(/ECONNREFUSED|ECONNRESET|fetch failed/);
    else expect(late).toMatchObject({ status: 503, type: expect.stringMatching(/^application\/problem\+json/) });

    socket.end(body.subarray(20));
    const raw = await answer;
    expect(raw).toMatch(/^HTTP\/1\.1 201 /);
    const created = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { booking: { id: string }; manageUrl: string };
    expect(await exited).toBe(0);
    expect(server.output()).toMatch(/SIGTERM: finishing 1 request\(s\)/);
    expect(server.output()).toMatch(/stopped cleanly/);

    const again = await start(dataDir);
    const token = created.manageUrl.split('/b/')[1];
    const res = await fetch(`${again.url}/api/bookings/${token}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { booking: { id: string; status: string } }).booking).toMatchObject({ id: created.booking.id, status: 'confirmed' });
    expect(await again.stop('SIGTERM')).toBe(0);
  });

  it('SIGINT (Ctrl-C) closes the embedded database cleanly: bookings and cancellations are there after a restart', async () => {
    const dataDir = newDataDir();
    const server = await start(dataDir);
    const starts = await demoStarts(server);
    const kept = await book(server, starts[0], 'Kept');
    const dropped = await book(server, starts[1], 'Dropped');
    const cancel = await fetch(`${server.url}/api/bookings/${dropped.token}/cancel`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":"changed plans"}',
    });
    expect(cancel.status).toBe(200);
    expect(await server.stop('SIGINT')).toBe(0);
    expect(server.output()).toMatch(/SIGINT: finishing 0 request\(s\).*\n[\s\S]*stopped cleanly/);

    const again = await start(dataDir);
    // The demo provider is not seeded twice.
    expect(again.output()).not.toMatch(/seeded the demo provider/);
    const status = async (token: string) =>
      ((await (await fetch(`${again.url}/api/bookings/${token}`)).json()) as { booking: { status: string; name: string } }).booking;
    expect(await status(kept.token)).toMatchObject({ status: 'confirmed', name: 'Kept' });
    expect(await status(dropped.token)).toMatchObject({ status: 'cancelled', name: 'Dropped' });
    // The freed time can be booked again; the kept one cannot.
    const free = await demoStarts(again);
    expect(free.length).toBeGreaterThan(0);
    expect(free).toContain(starts[1]);
    expect(free).not.toContain(starts[0]);
    expect(await again.stop('SIGINT')).toBe(0);
  });
});
