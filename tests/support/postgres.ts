import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import postgres from 'postgres';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function asPostgres(args: string[]): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface PostgresServer {
  url: string;
  port: number;
  /** A superuser connection URL to another fresh database on the same server. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
  /** Stops the server (fast shutdown) and starts it again on the same port and data. */
  restart(downMillis?: number): Promise<void>;
  kill(): void;
  start(): Promise<void>;
}

/**
 * Starts a real PostgreSQL 15 server for a test: initdb into a temp dir as the `postgres` OS
 * user, listening on a free loopback port only, stopped by `stop()`.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'slotline-pg-'));
  chmodSync(dir, 0o777);
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  execFileSync('mkdir', ['-p', socketDir]);
  chmodSync(socketDir, 0o777);
  asPostgres(['initdb', '-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  writeFileSync(join(dataDir, 'postgresql.auto.conf'), [
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${socketDir}'`,
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    'max_connections = 300',
    'shared_buffers = 128MB',
    '',
  ].join('\n'));
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;

  const start = async () => {
    asPostgres(['pg_ctl', '-D', dataDir, '-o', `-p ${port}`, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  };
  const stopServer = (mode: 'fast' | 'immediate') => {
    try {
      asPostgres(['pg_ctl', '-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
    } catch {
      // already stopped
    }
  };
  await start();

  return {
    url,
    port,
    async createDatabase(name) {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      await sql.unsafe(`create database "${name}"`);
      await sql.end();
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      stopServer('fast');
      rmSync(dir, { recursive: true, force: true });
    },
    async restart(downMillis = 0) {
      stopServer('fast');
      if (downMillis) await new Promise((r) => setTimeout(r, downMillis));
      await start();
    },
    kill() {
      stopServer('immediate');
    },
    start,
  };
}

export { spawn };
