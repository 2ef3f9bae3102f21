import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { FirehoseStats } from '../stats/firehose-stats.js';

/** What the warning tells the operator to run: the oldest open transactions, which hold listeners back. */
const OLDEST_TRANSACTIONS_QUERY =
  'SELECT pid, usename, application_name, state, now() - xact_start AS open_for, left(query, 60) AS query ' +
  'FROM pg_stat_activity WHERE xact_start IS NOT NULL ORDER BY xact_start LIMIT 5';

/**
 * Reads PostgreSQL's NOTIFY queue usage (`pg_notification_queue_usage()`) on a timer. The queue is
 * shared by the whole cluster and only shrinks as fast as its slowest listening session reads: one
 * idle in a long transaction takes no notification until it ends. Full, it makes every NOTIFY,
 * and so every broadcast, fail. One warning per crossing of the threshold, one line when it is
 * back below, so a stuck queue does not flood the log.
 */
export class NotifyQueueWatch implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Firehose');
  private timer?: NodeJS.Timeout;
  private above = false;
  private failing = false;
  private checking = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly stats: FirehoseStats,
    private readonly interval: number,
    private readonly threshold: number,
  ) {}

  onApplicationBootstrap(): void {
    if (this.interval === 0) return;
    void this.check();
    this.timer = setInterval(() => void this.check(), this.interval);
    this.timer.unref();
  }

  /** Stops before the DataSource closes. */
  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the usage now, reports it to the stats and logs a crossing; undefined when it could not be read. */
  async check(): Promise<number | undefined> {
    if (this.checking) return undefined;
    this.checking = true;
    let usage: number;
    try {
      const [row] = await this.dataSource.query('SELECT pg_notification_queue_usage() AS usage');
      usage = Number(row.usage);
    } catch (error) {
      if (!this.failing) this.logger.warn(`Could not read pg_notification_queue_usage(): ${(error as Error).message}; will try again`);
      this.failing = true;
      return undefined;
    } finally {
      this.checking = false;
    }
    this.failing = false;
    const above = usage > this.threshold;
    this.stats.reportNotifyQueue({ usage, threshold: this.threshold, aboveThreshold: above, checkedAt: new Date().toISOString() });
    if (above && !this.above) this.logger.warn(this.warning(usage));
    else if (!above && this.above) {
      this.logger.log(
        `PostgreSQL's NOTIFY queue is back to ${percent(usage)} full, below queueWarnThreshold (${percent(this.threshold)}).`,
      );
    }
    this.above = above;
    return usage;
  }

  private warning(usage: number): string {
    return (
      `PostgreSQL's NOTIFY queue is ${percent(usage)} full, above queueWarnThreshold (${percent(this.threshold)}). ` +
      'A listening session that does not read holds it back, most often one idle in a long transaction: it takes no ' +
      'notification until the transaction ends. When the queue is full every NOTIFY fails, and so does every broadcast. ' +
      `Find the oldest transactions with: ${OLDEST_TRANSACTIONS_QUERY}; end the one holding it (pg_terminate_backend(pid)), ` +
      'or raise max_notification_queue_size.'
    );
  }
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}
