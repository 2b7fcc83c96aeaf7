/**
 * A short-lived in-memory cache for public read responses (slots, providers). Slots are asked
 * for far more often than bookings change; the response already says `max-age=15`, so serving
 * the same body for a few seconds changes nothing a visitor can see — and every write made
 * through this server clears it at once. The booking endpoint never trusts this cache: it
 * re-checks a start against fresh busy time, and the database decides.
 */
export class ResponseCache<T> {
  #entries = new Map<string, { expires: number; value: T }>();

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

  set(key: string, value: T): void {
    if (this.#entries.size >= this.maxEntries) {
      // Drop the oldest entry (Maps iterate in insertion order).
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { expires: this.clock() + this.ttlMs, value });
  }

  /** Forget everything: called after any booking write on this server. */
  clear(): void {
    this.#entries.clear();
  }
}
