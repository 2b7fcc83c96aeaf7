import { createServer, type Server } from 'node:http';
import type { PGlite } from '@electric-sql/pglite';
import { freePort } from './postgres.ts';

/**
 * A local stand-in for a Supabase project's REST API, implementing PostgREST's documented
 * `POST /rest/v1/rpc/<function>` (named JSON arguments → function result; errors as
 * `{ code, message, details, hint }`), backed by a real PGlite database. Supabase itself
 * cannot be reached from test machines.
 */
export async function startFakePostgrest(pg: PGlite, serviceRoleKey: string): Promise<{ url: string; calls: string[]; close(): Promise<void> }> {
  const calls: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const match = /^\/rest\/v1\/rpc\/([a-z_][a-z0-9_]*)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return send(404, { message: 'not found' });
    if (req.headers.authorization !== `Bearer ${serviceRoleKey}` || req.headers.apikey !== serviceRoleKey) {
      return send(401, { code: 'PGRST301', message: 'JWT invalid' });
    }
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const args = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const names = Object.keys(args);
    calls.push(match[1]);
    try {
      const sql = `select public.${match[1]}(${names.map((n, i) => `${n.replace(/[^a-z0-9_]/g, '')} => $${i + 1}`).join(', ')}) as result`;
      const params = names.map((n) => (args[n] !== null && typeof args[n] === 'object' ? JSON.stringify(args[n]) : args[n]));
      const { rows } = await pg.query<{ result: unknown }>(sql, params);
      send(200, rows[0]?.result ?? null);
    } catch (error) {
      const e = error as { code?: string; message: string; detail?: string };
      send(400, { code: e.code ?? 'XX000', message: e.message, details: e.detail ?? null, hint: null });
    }
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
