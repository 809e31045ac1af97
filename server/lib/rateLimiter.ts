import { errors } from '../errors.js';

/**
 * Fixed-window counter per key, in memory. Cheap enough for every request; stale keys are
 * dropped when the map grows, so no timer is needed.
 */
export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit; returns 0 when allowed, else the seconds until the window resets. */
  hit(key: string): number {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) {
      if (this.windows.size > 10_000) this.sweep(t);
      w = { start: t, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count > this.limit ? (w.start + this.windowMs - t) / 1000 : 0;
  }

  /** Like hit(), but throws the contract's 429 with Retry-After. */
  consume(key: string): void {
    const retry = this.hit(key);
    if (retry > 0) throw errors.rateLimited(retry);
  }

  private sweep(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= this.windowMs) this.windows.delete(k);
  }
}
