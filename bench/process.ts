import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../tests/support/postgres.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

export interface BenchServer {
  url: string;
  /** Everything the server printed (for error messages). */
  output(): string;
  /** SIGTERM, then SIGKILL after 8 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `bench/server.ts` as its own process on a free loopback port and waits until it
 * answers `/healthz`. With `databaseUrl` it uses that PostgreSQL, otherwise embedded PGlite; `env` adds
 * settings (e.g. `SLOTS_CACHE_MS: '0'`).
 *
 * @example const server = await startBenchServer({ databaseUrl }); try { … } finally { await server.stop(); }
 */
export async function startBenchServer(options: { databaseUrl?: string; env?: Record<string, string> } = {}): Promise<BenchServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' };
  delete env.DATABASE_URL;
  delete env.SUPABASE_URL;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/server.ts'], {
    cwd: root,
    env,
    // The IPC channel lets the server notice when the bench dies and stop with it.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 8_000);
    await exited;
    clearTimeout(killer);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bench server exited early:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`bench server did not become healthy in 90 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, output: () => output, stop };
}
