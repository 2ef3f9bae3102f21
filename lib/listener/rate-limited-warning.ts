import type { Logger } from '@nestjs/common';

/**
 * A WARN that cannot flood the log: the first occurrence is logged at once, later ones are counted
 * and reported in one line at most once per `intervalMs`. Meant for input anyone can send (a forged
 * notification costs its sender one statement; it must not cost a log line each).
 */
export class RateLimitedWarning {
  private suppressed = 0;
  private lastAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    /** The line to log, given how many occurrences it reports. */
    private readonly describe: (count: number) => string,
    private readonly intervalMs = 60_000,
  ) {}

  occurred(): void {
    const now = Date.now();
    if (now - this.lastAt >= this.intervalMs && this.timer === undefined) {
      this.lastAt = now;
      this.logger.warn(this.describe(1));
      return;
    }
    this.suppressed++;
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, this.lastAt + this.intervalMs - now));
    this.timer.unref();
  }

  /** Forgets what is still counted (at shutdown). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.suppressed = 0;
  }

  private flush(): void {
    this.timer = undefined;
    if (this.suppressed === 0) return;
    this.lastAt = Date.now();
    this.logger.warn(this.describe(this.suppressed));
    this.suppressed = 0;
  }
}
