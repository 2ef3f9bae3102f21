import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { FirehoseStats } from '../stats/firehose-stats.js';

/** The signals Nest's `enableShutdownHooks()` listens to by default that end a process. */
const TERMINATING_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];

/**
 * Bounds a shutdown by signal. Nest runs every shutdown hook to its end, one module after another,
 * before the process exits; one that hangs (a query that never returns, a socket that never
 * closes) would keep an instance that already refuses clients alive until the orchestrator kills
 * it. So the signal itself starts the clock: after `shutdownTimeout` the process exits with code 1
 * and says so. It listens only to signals the app already handles (`app.enableShutdownHooks()`,
 * called before `listen()` or `init()`): a listener of its own would otherwise keep a signal from
 * ending the process. `app.close()` from code (a test) starts no clock.
 */
export class ShutdownDeadline implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Firehose');
  private readonly signals: NodeJS.Signals[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly stats: FirehoseStats,
    private readonly timeout: number,
  ) {}

  onApplicationBootstrap(): void {
    if (this.timeout === 0) return;
    for (const signal of TERMINATING_SIGNALS) {
      if (process.listenerCount(signal) === 0) continue;
      // First, so the clock starts before Nest's own handler begins the shutdown.
      process.prependListener(signal, this.started);
      this.signals.push(signal);
    }
  }

  onApplicationShutdown(): void {
    this.stopListening();
    clearTimeout(this.timer);
  }

  private readonly started = (signal: NodeJS.Signals): void => {
    this.stopListening();
    if (this.timer) return;
    const connections = [...this.stats.connections()].map(([name, count]) => `${count} ${name}`).join(', ');
    this.logger.log(
      `${signal}: refusing new connections, telling open ones (${connections || 'none'}) to reconnect elsewhere, finishing accepted broadcasts; exiting within ${this.timeout} ms`,
    );
    this.timer = setTimeout(() => {
      this.logger.error(`Shutdown still running after shutdownTimeout (${this.timeout} ms); exiting now with code 1.`);
      process.exit(1);
    }, this.timeout);
    this.timer.unref();
  };

  private stopListening(): void {
    for (const signal of this.signals.splice(0)) process.off(signal, this.started);
  }
}
