/**
 * The result of a slow check (round trips to other systems), kept for `ttlMs` so a page that
 * shows it stays fast when reloaded; `refresh` runs it again at once. A failed run is not kept.
 * Concurrent callers share the run in flight.
 */
export class RecentResult<T> {
  private last: { value: Promise<T>; at: number } | null = null;

  constructor(
    private readonly run: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  async get(refresh = false): Promise<{ value: T; checkedAt: number }> {
    const now = this.now();
    if (refresh || this.last === null || now - this.last.at >= this.ttlMs) {
      const value = this.run();
      const entry = { value, at: now };
      this.last = entry;
      value.catch(() => {
        if (this.last === entry) this.last = null;
      });
    }
    const { value, at } = this.last;
    return { value: await value, checkedAt: at };
  }
}
