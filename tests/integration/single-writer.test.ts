import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedDb } from '../../server/db/embedded.ts';
import { DataFolderBusyError, lockPathOf } from '../../server/db/lock.ts';
import { startServerProcess, type ServerProcess } from '../support/process.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const kimPath = new URL('../fixtures/providers/kim.json', import.meta.url).pathname;

/** `npm run provider -- …` against DATA_DIR, as its own process; never throws, returns code and output. */
function cli(dataDir: string, ...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'server/cli/provider.ts', ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', SUPABASE_URL: '' },
  }).then((r) => ({ code: 0, out: r.stdout + r.stderr }), (e) => ({ code: e.code as number, out: String(e.stdout) + String(e.stderr) }));
}

/** A pid that certainly belongs to no process any more: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

describe('a running server holds the embedded data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slotline-writer-'));
  const env = { DATA_DIR: dataDir, DATABASE_URL: '', SUPABASE_URL: '', DEMO_PAYMENTS: '0' };
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess(env);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('writes a lock beside the folder naming its pid, readable by its owner only', () => {
    const lockPath = lockPathOf(join(dataDir, 'pglite'));
    expect(statSync(lockPath).mode & 0o777).toBe(0o600);
    const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
    expect(lock).toMatchObject({ pid: server.child.pid, role: 'server' });
    expect(lock.admin.port).toBeGreaterThan(0);
  });

  it('the CLI apply goes through the server: the change is visible in the server\'s API at once', async () => {
    expect((await fetch(`${server.url}/api/providers/kim`)).status).toBe(404);
    const result = await cli(dataDir, 'apply', kimPath);
    expect(result.out).toContain('Applied provider "kim"');
    expect(result.out).toContain(`through the running server (pid ${server.child.pid})`);
    expect(result.code).toBe(0);
    const res = await fetch(`${server.url}/api/providers/kim`);
    expect(res.status).toBe(200);
    expect((await res.json()).name).toBe(JSON.parse(readFileSync(kimPath, 'utf8')).name);
  });

  it('other provider commands go through it too: a rotated feed URL works on the server', async () => {
    const result = await cli(dataDir, 'rotate-feed', 'demo');
    expect(result.code).toBe(0);
    const feed = /\/ics\/([\w-]+)\.ics/.exec(result.out)?.[1];
    expect(feed).toBeTruthy();
    const res = await fetch(`${server.url}/ics/${feed}.ics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('BEGIN:VCALENDAR');
    const calendar = await cli(dataDir, 'disconnect', 'demo', 'ics');
    expect(calendar.out).toContain('"demo" had no ics calendar connected');
    expect(calendar.code).toBe(0);
  });

  it('a second server on the same folder refuses to start, saying why and what to do', async () => {
    await expect(startServerProcess(env)).rejects.toThrow(
      /already open in another Slotline process \(pid \d+, a running server[\s\S]*one process per data folder[\s\S]*own DATA_DIR/,
    );
    // The first server is unharmed.
    expect((await fetch(`${server.url}/api/providers/kim`)).status).toBe(200);
  });

  it('the admin listener answers only with the secret from the lock file', async () => {
    const lock = JSON.parse(readFileSync(lockPathOf(join(dataDir, 'pglite')), 'utf8'));
    const call = (auth: string) => fetch(`http://127.0.0.1:${lock.admin.port}/rpc`, {
      method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ fn: 'get_public_provider', args: { p_slug: 'kim' } }),
    });
    expect((await call('Bearer wrong')).status).toBe(401);
    expect((await call('')).status).toBe(401);
    const ok = await call(`Bearer ${lock.admin.secret}`);
    expect(ok.status).toBe(200);
    expect((await ok.json()).result.slug).toBe('kim');
  });

  it('releases the folder on a clean stop: the CLI then writes it directly', async () => {
    expect(await server.stop()).toBe(0);
    expect(existsSync(lockPathOf(join(dataDir, 'pglite')))).toBe(false);
    const result = await cli(dataDir, 'apply', kimPath);
    expect(result.code).toBe(0);
    expect(result.out).not.toContain('through the running server');
  });
});

describe('the lock itself', () => {
  it('a second opener in any process gets DataFolderBusyError; after close the folder opens again', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'slotline-lock-')), 'pglite');
    const first = await openEmbeddedDb({ dataDir });
    try {
      const second = openEmbeddedDb({ dataDir });
      await expect(second).rejects.toBeInstanceOf(DataFolderBusyError);
      await expect(second).rejects.toThrow(`pid ${process.pid}`);
    } finally {
      await first.close();
    }
    const again = await openEmbeddedDb({ dataDir });
    await again.close();
  });

  it('a stale lock (its process is gone, e.g. kill -9) is taken over, and the data is intact', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'slotline-stale-')), 'pglite');
    const db = await openEmbeddedDb({ dataDir });
    await db.pg.exec("create table marker (v text); insert into marker values ('kept')");
    await db.close();
    const pid = await deadPid();
    writeFileSync(lockPathOf(dataDir), JSON.stringify({ pid, role: 'server', since: '2026-01-01T00:00:00Z', nonce: 'old', admin: { port: 1, secret: 'x' } }), { mode: 0o600 });

    const reopened = await openEmbeddedDb({ dataDir });
    try {
      expect(JSON.parse(readFileSync(lockPathOf(dataDir), 'utf8')).pid).toBe(process.pid);
      expect((await reopened.pg.query<{ v: string }>('select v from marker')).rows).toEqual([{ v: 'kept' }]);
    } finally {
      await reopened.close();
    }
  });

  it('the CLI never reports success when the server holding the folder cannot be reached', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'slotline-unreachable-'));
    const db = await openEmbeddedDb({ dataDir: join(dataDir, 'pglite') });
    await db.close();
    // A live pid (this test process) claims the folder as a server, but nothing listens on its port.
    writeFileSync(lockPathOf(join(dataDir, 'pglite')), JSON.stringify({
      pid: process.pid, role: 'server', since: '2026-01-01T00:00:00Z', nonce: 'n', admin: { port: 1, secret: 'x' },
    }), { mode: 0o600 });
    const result = await cli(dataDir, 'apply', kimPath);
    expect(result.code).toBe(1);
    expect(result.out).not.toContain('Applied');
    expect(result.out).toMatch(/Could not reach the running Slotline server \(pid \d+\)[\s\S]*may not have been applied/);
  });
});
