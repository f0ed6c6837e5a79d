/**
 * Counts attempts per key in fixed windows, in this process's memory. Lockout (in the database)
 * is the durable control; this limiter slows guessing across accounts from one address and
 * bursts at one account. Several API nodes each keep their own counts.
 */
export interface RateLimit {
  /** attempts allowed per window */
  limit: number;
  windowMs: number;
}

export function createRateLimiter(now: () => number) {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    /** Records an attempt; returns the seconds to wait when the key is over its limit, else 0. */
    hit(key: string, rule: RateLimit): number {
      const t = now();
      let w = windows.get(key);
      if (!w || t - w.start >= rule.windowMs) {
        if (windows.size > 50_000) windows.clear();
        w = { start: t, count: 0 };
        windows.set(key, w);
      }
      w.count += 1;
      if (w.count > rule.limit) return Math.max(1, Math.ceil((w.start + rule.windowMs - t) / 1000));
      return 0;
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
