/**
 * The last good answers from a dependency, kept in memory (per container) so a fallback can serve a
 * stale copy, marked as such, while the dependency is down. Bounded: the oldest entry goes first.
 */
export class LastGoodCache<T> {
  readonly #entries = new Map<string, { value: T; storedAt: number }>();

  constructor(
    private readonly maxEntries = 500,
    private readonly now: () => number = Date.now,
  ) {}

  remember(key: string, value: T): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, storedAt: this.now() });
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** The value and its age in seconds, or `undefined` when none was kept. */
  recall(key: string): { value: T; ageSeconds: number } | undefined {
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : { value: entry.value, ageSeconds: Math.round((this.now() - entry.storedAt) / 1000) };
  }
}
