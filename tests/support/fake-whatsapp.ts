import { createServer, type IncomingMessage } from 'node:http';
import { freePort } from './postgres.ts';

/** One request the fake Graph API accepted or refused, as it arrived. */
export interface GraphRequest {
  path: string;
  authorization: string | undefined;
  body: any;
}

/**
 * A local stand-in for the WhatsApp Business Cloud API's send endpoint, `POST /{version}/{phone-number-id}/messages`,
 * answering the documented shapes: `{messaging_product, contacts:[{input, wa_id}], messages:[{id}]}` on success and
 * `{error:{message, type, code, error_subcode?, fbtrace_id}}` on failure. Checks the bearer token and the template
 * request's shape (a 400 with code 100 when it is wrong, like Graph's "Invalid parameter"). `failNext` queues error
 * answers for the next requests.
 */
export async function startFakeWhatsApp(options: { token: string; phoneNumberId: string }) {
  const requests: GraphRequest[] = [];
  const failures: { status: number; code: number; message: string }[] = [];
  const readBody = (req: IncomingMessage) => new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
  });
  const server = createServer(async (req, res) => {
    const text = await readBody(req);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, code: number, message: string, type = 'OAuthException') =>
      send(status, { error: { message, type, code, fbtrace_id: 'AbCdEf123' } });
    let body: any = null;
    try {
      body = JSON.parse(text);
    } catch {
      /* checked below */
    }
    requests.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
    const m = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) return error(404, 803, 'Unknown path');
    if (req.headers.authorization !== `Bearer ${options.token}`) return error(401, 190, 'Invalid OAuth access token.');
    if (m[2] !== options.phoneNumberId) return error(400, 100, 'Unsupported post request.', 'GraphMethodException');
    const t = body?.template;
    const valid = body?.messaging_product === 'whatsapp' && typeof body.to === 'string' && /^\d{6,15}$/.test(body.to)
      && body.type === 'template' && typeof t?.name === 'string' && typeof t?.language?.code === 'string'
      && Array.isArray(t.components) && t.components.every((c: any) => c.type === 'body' && Array.isArray(c.parameters)
        && c.parameters.every((p: any) => p.type === 'text' && typeof p.text === 'string'));
    if (!valid) return error(400, 100, '(#100) Invalid parameter', 'OAuthException');
    const failure = failures.shift();
    if (failure) return error(failure.status, failure.code, failure.message);
    send(200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: `wamid.${requests.length}` }] });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** The next requests (that pass the checks) answer these errors, in order. */
    failNext: (...f: { status: number; code: number; message: string }[]) => failures.push(...f),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
