/**
 * A short-lived in-memory cache for public read responses (slots, providers). Slots are asked
 * for far more often than bookings change; the response already says `max-age=15`, so serving
 * the same body for a few seconds changes nothing a visitor can see — and every change clears it
 * at once (this server's writes, and on PostgreSQL/PGlite every other change the database tells
 * us about). The booking endpoint never reads this cache: the database decides.
 */
export class ResponseCache<T> {
  #entries = new Map<string, { expires: number; value: T }>();
  #generation = 0;

  constructor(
    readonly ttlMs = 5_000,
    readonly maxEntries = 1_000,
    private readonly clock: () => number = Date.now,
  ) {}

  get(key: string): T | undefined {
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= this.clock()) {
      this.#entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  /** Counts `clear()` calls: read it before computing an answer and pass it to `set`. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Stores an answer. With `since` (the `generation` read before the answer was computed), an answer that was still
   * computing when a change cleared the cache is not stored: it may predate the change.
   */
  set(key: string, value: T, since?: number): void {
    if (since !== undefined && since !== this.#generation) return;
    if (this.#entries.size >= this.maxEntries) {
      // Drop the oldest entry (Maps iterate in insertion order).
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { expires: this.clock() + this.ttlMs, value });
  }

  /** Forget everything: called after any write on this server and any change the database reports. */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }
}
