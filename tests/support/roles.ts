import type postgres from 'postgres';

/**
 * Runs `fn` as a database role with a JWT subject, as PostgREST would for a request, in a
 * transaction that is always rolled back.
 */
export async function asRole<T>(
  sql: postgres.Sql,
  role: 'anon' | 'authenticated',
  userId: string | null,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  let result: T;
  const rollback = new Error('rollback');
  await sql.begin(async (tx) => {
    await tx.unsafe(`set local role ${role}`);
    if (userId) await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: userId, role })}, true)`;
    result = await fn(tx);
    throw rollback;
  }).catch((e) => {
    if (e !== rollback) throw e;
  });
  return result!;
}
