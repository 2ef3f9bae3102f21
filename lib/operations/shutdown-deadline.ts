import { Logger, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import type { FirehoseStats } from '../stats/firehose-stats.js';

/**
 * Bounds a shutdown by signal. Nest runs every shutdown hook to its end before the process exits;
 * one that hangs (a query that never returns, a socket that never closes) would keep an instance
 * that already refuses clients alive until the orchestrator kills it. After `shutdownTimeout` the
 * process exits with code 1 and says so. Only a signal arms it: `app.close()` from code (a test)
 * is left alone.
 */
export class ShutdownDeadline implements OnModuleDestroy, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Firehose');
  private startedAt = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly stats: FirehoseStats,
    private readonly timeout: number,
  ) {}

  /** The first hook of a shutdown: the window counts from here. */
  onModuleDestroy(): void {
    this.startedAt = performance.now();
  }

  beforeApplicationShutdown(signal?: string): void {
    if (!signal) return;
    const connections = [...this.stats.connections()].map(([name, count]) => `${count} ${name}`).join(', ');
    const within = this.timeout > 0 ? `, exiting within ${this.timeout} ms` : '';
    this.logger.log(
      `${signal}: refusing new connections, telling open ones (${connections || 'none'}) to reconnect elsewhere, finishing accepted broadcasts${within}`,
    );
    if (this.timeout === 0) return;
    const left = Math.max(0, this.timeout - (performance.now() - this.startedAt));
    this.timer = setTimeout(() => {
      this.logger.error(`Shutdown still running after shutdownTimeout (${this.timeout} ms); exiting now with code 1.`);
      process.exit(1);
    }, left);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }
}
