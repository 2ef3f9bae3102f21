import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EXPIRED_SWEEP_BATCH, EXPIRED_SWEEP_INTERVAL } from './durable-streams.constants.js';
import type { StreamStore } from './store/stream.store.js';

/**
 * Requests delete an expired stream when they touch it; this deletes the ones nobody touches
 * again, so their rows do not stay forever. Every process sweeps; the per-stream lock and the
 * re-check under it make concurrent sweeps harmless.
 */
export class ExpiredStreamsSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DurableStreams');
  private timer: NodeJS.Timeout | undefined;
  private running = false;

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

  /** One sweep; returns how many expired streams it found. */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const paths = await this.store.expiredPaths(EXPIRED_SWEEP_BATCH);
      for (const path of paths) await this.store.expire(path);
      return paths.length;
    } catch (error) {
      this.logger.warn(`Sweeping expired streams failed (${(error as Error).message}); next try in ${this.interval} ms`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
