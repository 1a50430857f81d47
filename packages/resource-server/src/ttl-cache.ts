// A small bounded cache: entries expire at their own time and the least recently used one goes
// when the cache is full. Used for introspection results (never kept beyond the token's `exp`) and
// the DPoP replay cache (a proof's jti, kept for the proof's acceptance window).

export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(readonly maxEntries: number) {}

  get(key: string, now = Date.now()): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    // Most recently used last (Map keeps insertion order).
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  has(key: string, now = Date.now()): boolean {
    return this.get(key, now) !== undefined;
  }

  set(key: string, value: V, expiresAt: number): void {
    if (this.maxEntries <= 0) return;
    this.#entries.delete(key);
    while (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    this.#entries.set(key, { value, expiresAt });
  }

  /**
   * Adds without evicting a live entry (a replay cache must not forget a proof inside its window):
   * when full, expired entries are swept; still full, nothing is added and the answer is false.
   */
  trySet(key: string, value: V, expiresAt: number, now = Date.now()): boolean {
    if (this.#entries.size >= this.maxEntries) {
      for (const [k, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(k);
      if (this.#entries.size >= this.maxEntries) return false;
    }
    this.#entries.set(key, { value, expiresAt });
    return true;
  }

  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  /** Drops every entry whose value matches (a revocation naming a grant, an agent, a user). */
  deleteWhere(matches: (value: V) => boolean): number {
    let dropped = 0;
    for (const [key, entry] of this.#entries) {
      if (matches(entry.value)) {
        this.#entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}
