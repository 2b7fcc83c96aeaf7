/** A JSON answer as the owner API gives it. */
export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export type Handler = (body: any, query: URLSearchParams) => Response | Promise<Response>;

/**
 * A fake owner API for the app's component tests: `routes['POST /api/app/sign-in']` answers (a list answers in turn,
 * its last one from then on); anything else is a 404 problem. Every call is recorded.
 */
export function fakeApi(routes: Record<string, Handler | Handler[]>) {
  const calls: { method: string; path: string; body: any; query: URLSearchParams }[] = [];
  const fetch = async (input: string, init?: RequestInit) => {
    const url = new URL(input, 'http://app.test');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, path: url.pathname, body, query: url.searchParams });
    const route = routes[`${method} ${url.pathname}`];
    const handler = Array.isArray(route) ? (route.length > 1 ? route.shift()! : route[0]) : route;
    if (!handler) return json(404, { type: 'about:blank#not-found', title: 'Not found', status: 404 });
    return handler(body, url.searchParams);
  };
  return { fetch, calls, sent: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path) };
}
