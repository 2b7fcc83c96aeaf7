/**
 * A real Radicale CalDAV server for tests: `/usr/bin/radicale --config ""` on 127.0.0.1 with a temporary storage
 * folder and plain htpasswd users. `scripts/setup.sh` installs Radicale (Debian package `radicale`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RadicaleServer {
  /** Base URL, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts Radicale with the given users (name → password) and waits until it answers. */
export async function startRadicale(users: Record<string, string> = { alice: 'alice-pass' }): Promise<RadicaleServer> {
  const dir = mkdtempSync(join(tmpdir(), 'slotline-radicale-'));
  const htpasswd = join(dir, 'users');
  writeFileSync(htpasswd, Object.entries(users).map(([u, p]) => `${u}:${p}`).join('\n') + '\n');
  const port = await freePort();
  const child: ChildProcess = spawn(
    '/usr/bin/radicale',
    [
      '--config', '',
      '--server-hosts', `127.0.0.1:${port}`,
      '--storage-filesystem-folder', join(dir, 'collections'),
      '--auth-type', 'htpasswd',
      '--auth-htpasswd-filename', htpasswd,
      '--auth-htpasswd-encryption', 'plain',
      '--auth-delay', '0',
      '--rights-type', 'owner_only',
      '--logging-level', 'warning',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}/`;
  // Generous: on a loaded CI machine Python start-up alone can take many seconds.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`radicale exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`radicale did not start on ${url}: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    port,
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
