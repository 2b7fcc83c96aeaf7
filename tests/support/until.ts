/**
 * Polls `check` until it returns a truthy value (which it resolves with) or `timeoutMs` passes (then it throws with
 * `what`). For state that background work (the job worker) reaches eventually; never a fixed sleep.
 */
export async function until<T>(check: () => Promise<T> | T, what: string, timeoutMs = 20_000, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
