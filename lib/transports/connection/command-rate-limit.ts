/**
 * A token bucket for one connection's costly commands (a subscribe may cost the authorizer's
 * queries and a replay): a burst at once, then a steady rate, so a client cannot make them
 * without bound.
 */
export class CommandRateLimit {
  private tokens: number;
  private refilledAt = 0;

  constructor(
    readonly burst: number,
    readonly perSecond: number,
  ) {
    this.tokens = burst;
  }

  /** Takes a token; false when none is left. */
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
