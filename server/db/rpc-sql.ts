/** `select public.fn(p_a => $1, p_b => $2) as result`: a named-argument call, same on every adapter. */
export function rpcSql(fn: string, args: Record<string, unknown>): { sql: string; params: unknown[] } {
  const names = Object.keys(args);
  const list = names.map((name, i) => `${name} => $${i + 1}`).join(', ');
  return { sql: `select public.${fn}(${list}) as result`, params: names.map((n) => args[n]) };
}
