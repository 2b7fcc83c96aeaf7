import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DbError, DbUnavailableError, type Db } from './port.ts';
import { isSqlFunctionName, type ArgsOf } from './functions.ts';

/**
 * The running server's door for the provider CLI while it holds the embedded data folder (`lock.ts`):
 * `POST /rpc {fn, args}` on 127.0.0.1 and a random port, answered by the server's own `Db.rpc`, so the
 * CLI's change is written by the one process that owns the folder. The bearer secret is random per start
 * and written only into the lock file (mode 0600), so only the user who runs the server can use it.
 *
 * The answer is `{result}` or `{error: {kind, message, code?, detail?}}`; `remote.ts` turns the error
 * back into the same DbError / DbUnavailableError the CLI would have seen in-process.
 */

/** Bodies above this are refused (a provider file or a calendar secret is a few KB). */
const MAX_BODY_BYTES = 1024 * 1024;

export interface AdminListener {
  port: number;
  secret: string;
  close(): Promise<void>;
}

export type AdminError = { kind: 'db'; message: string; code: string; detail?: string } | { kind: 'unavailable' | 'other'; message: string };

export function toAdminError(error: unknown): AdminError {
  if (error instanceof DbError) return { kind: 'db', message: error.message, code: error.code, detail: error.detail };
  if (error instanceof DbUnavailableError) return { kind: 'unavailable', message: error.message };
  return { kind: 'other', message: error instanceof Error ? error.message : String(error) };
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sameSecret(given: string, secret: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Starts the admin listener for `db` on 127.0.0.1 (never another interface).
 *
 * @example
 * const admin = await startAdminListener(db);
 * await lock.publish({ port: admin.port, secret: admin.secret });
 */
export async function startAdminListener(db: Pick<Db, 'rpc'>): Promise<AdminListener> {
  const secret = randomBytes(32).toString('base64url');
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    try {
      const auth = req.headers.authorization ?? '';
      if (req.method !== 'POST' || req.url !== '/rpc') return send(404, { error: { kind: 'other', message: 'not found' } });
      if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice(7), secret)) {
        return send(401, { error: { kind: 'other', message: 'wrong admin secret' } });
      }
      const text = await readBody(req);
      if (text === null) return send(413, { error: { kind: 'other', message: `body over ${MAX_BODY_BYTES} bytes` } });
      let call: { fn?: unknown; args?: unknown };
      try {
        call = JSON.parse(text) as typeof call;
      } catch {
        return send(400, { error: { kind: 'other', message: 'body is not JSON' } });
      }
      if (typeof call.fn !== 'string' || !call.args || typeof call.args !== 'object' || Array.isArray(call.args)) {
        return send(400, { error: { kind: 'other', message: 'expected {fn, args}' } });
      }
      try {
        // A name from JSON: refused unless listed in server/db/functions.ts (db.rpc checks the argument names too).
        const fn = call.fn;
        if (!isSqlFunctionName(fn)) throw new Error(`SQL function ${fn} is not listed in server/db/functions.ts`);
        const result = await db.rpc(fn, call.args as ArgsOf<typeof fn>);
        send(200, { result: result ?? null });
      } catch (error) {
        send(200, { error: toAdminError(error) });
      }
    } catch (error) {
      if (!res.headersSent) send(500, { error: toAdminError(error) });
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    secret,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
