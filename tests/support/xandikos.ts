/**
 * A real Xandikos CalDAV server for tests (Debian package `xandikos`, installed by `scripts/setup.sh`): a second,
 * independent implementation next to Radicale, so CalDAV behaviour is not tuned to one server's quirks.
 * `xandikos -d <tmp> --defaults` on 127.0.0.1 serves one principal at `/user/` with a calendar at
 * `/user/calendars/calendar/`. Xandikos does no authentication of its own (it expects a proxy to), so any
 * credentials are accepted; the client still sends them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './radicale.ts';

export interface XandikosServer {
  /** Base URL, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  /** The calendar `--defaults` creates. */
  calendarUrl: string;
  stop(): Promise<void>;
}

/** Starts Xandikos on a free loopback port and waits until it answers. */
export async function startXandikos(): Promise<XandikosServer> {
  const dir = mkdtempSync(join(tmpdir(), 'slotline-xandikos-'));
  const port = await freePort();
  const child: ChildProcess = spawn('/usr/bin/xandikos', ['-d', dir, '--defaults', '-l', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}/`;
  // Generous: on a loaded CI machine Python start-up alone can take many seconds.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`xandikos exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${url}user/calendars/calendar/`, { method: 'PROPFIND', headers: { depth: '0' }, signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 207) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`xandikos did not start on ${url}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    calendarUrl: `${url}user/calendars/calendar/`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
