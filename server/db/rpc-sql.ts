/** `select public.fn(p_a => $1, p_b => $2) as result`: a named-argument call, same on every adapter. */
export function rpcSql(fn: string, args: object): { sql: string; params: unknown[] } {
  const entries = Object.entries(args);
  const list = entries.map(([name], i) => `${name} => $${i + 1}`).join(', ');
  return { sql: `select public.${fn}(${list}) as result`, params: entries.map(([, value]) => value) };
}
