import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EXPIRED_SWEEP_BATCH, EXPIRED_SWEEP_INTERVAL } from './durable-streams.constants.js';
import type { StreamStore } from './store/stream.store.js';

/** Sweeps after which streams that failed to delete are tried again (an hour at the default interval). */
const RETRY_FAILED_AFTER_SWEEPS = 60;
/** Most failing paths remembered; past it the memory starts over. */
const MAX_FAILED_PATHS = 1000;

/**
 * Requests delete an expired stream when they touch it; this deletes the ones nobody touches
 * again, so their rows do not stay forever. Every process sweeps; the per-stream lock and the
 * re-check under it make concurrent sweeps harmless. A stream that cannot be deleted (a row left
 * inconsistent by hand, say) costs one WARN line and is left out of the next sweeps for a while,
 * so it never holds up the others.
 */
export class ExpiredStreamsSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DurableStreams');
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private sweeps = 0;
  private readonly failed = new Set<string>();

  constructor(
    private readonly store: StreamStore,
    private readonly interval = EXPIRED_SWEEP_INTERVAL,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.interval);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One sweep; returns how many expired streams it deleted. */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      if (++this.sweeps % RETRY_FAILED_AFTER_SWEEPS === 0 || this.failed.size >= MAX_FAILED_PATHS) this.failed.clear();
      const paths = await this.store.expiredPaths(EXPIRED_SWEEP_BATCH, [...this.failed]);
      let deleted = 0;
      for (const path of paths) {
        try {
          await this.store.expire(path);
          deleted++;
        } catch (error) {
          this.failed.add(path);
          this.logger.warn(
            `Could not delete the expired stream ${JSON.stringify(path)} (${(error as Error).message}); sweeping on without it`,
          );
        }
      }
      return deleted;
    } catch (error) {
      this.logger.warn(`Sweeping expired streams failed (${(error as Error).message}); next try in ${this.interval} ms`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
