import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { NotificationChannelHandler } from '../listener/notification-channel-handler.interface.js';
import { changeFeedTables } from './change-feed-tables.js';
import { CHANGE_RELAY_IDLE_POLL, CHANGE_RELAY_SPIN_INTERVAL, CHANGE_RELAY_SPINS } from './change-feed.constants.js';

type RelayStatus = 'busy' | 'more' | 'done' | 'empty' | 'idle';

export interface ChangeFeedRelayOptions {
  /** The event channel firehose_append notifies (the core's `notifyChannel`). */
  eventChannel: string;
  /** The channel writers NOTIFY to wake this relay when it is idle. */
  wakeChannel: string;
  notifyMaxBytes: number;
  /** Most row events appended to the log per transaction. */
  batchEvents: number;
  /** Told which streams it wrote to, for cleanup. */
  onAppended(streamIds: number[]): void;
}

/**
 * Moves committed table changes from the staging table into the log, in commit order, with
 * firehose_append: one ordinary group-commit append per batch, so every transport and replay sees
 * them as events like any other. Each step is one call of the relay SQL function. It works while
 * there is work, polls briefly after it, then sleeps until a writer's NOTIFY (or a slow poll) wakes
 * it. Every process runs one; the function's lock lets one at a time do the work.
 */
export class ChangeFeedRelay implements NotificationChannelHandler, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Firehose');
  private readonly stepSql: string;
  private readonly registerSql: string;
  private running: Promise<void> | undefined;
  private stopped = false;
  private woken = false;
  private wake_: (() => void) | undefined;
  private failures = 0;
  private disabled = false;
  private bootStatus: RelayStatus | undefined;
  /**
   * The last commit number this relay moved (a bigint, as text): staged rows at or below it are
   * gone, so each step starts after it instead of walking their dead index entries.
   */
  private lastSeq = '0';

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: ChangeFeedRelayOptions,
  ) {
    const t = changeFeedTables((dataSource.options as { schema?: string }).schema);
    this.stepSql = `SELECT status, appended, channel_ids, last_seq FROM ${t.relayFunction}($1, $2, $3, $4, $5)`;
    this.registerSql = `INSERT INTO ${t.relays} (channel) VALUES ($1) ON CONFLICT (channel) DO UPDATE SET seen_at = now()`;
  }

  /**
   * Registers the wake channel and takes a first step, while the module boots: by the time the app
   * serves, the relay is idle (or already working) instead of competing with the app's first queries.
   */
  async prepare(): Promise<void> {
    try {
      await this.dataSource.query(this.registerSql, [this.options.wakeChannel]);
    } catch (error) {
      if ((error as { code?: string }).code === '42P01') {
        this.disabled = true;
        this.logger.warn(
          'Table change feeds are off: the CreateChangeFeedFunctions1732340000000 migration has not run. Add CHANGE_FEED_MIGRATIONS to your DataSource or set migrationsRun.',
        );
        return;
      }
      throw error;
    }
    this.bootStatus = await this.step(true).catch(() => undefined);
  }

  onApplicationBootstrap(): void {
    if (!this.disabled) this.running = this.loop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
  }

  /** The channel writers NOTIFY, on the process's shared LISTEN connection. */
  get channel(): string {
    return this.options.wakeChannel;
  }

  /** A writer's NOTIFY. */
  onNotification(): void {
    this.wake();
  }

  /** A wake-up sent while the connection was down is made good here. */
  async onListening(reconnected: boolean): Promise<void> {
    if (reconnected) this.wake();
  }

  /** Look for work now. */
  private wake(): void {
    this.woken = true;
    this.wake_?.();
  }

  private async step(arm: boolean): Promise<RelayStatus> {
    const [row] = await this.dataSource.query(this.stepSql, [
      this.options.eventChannel,
      this.options.notifyMaxBytes,
      this.options.batchEvents,
      arm,
      this.lastSeq,
    ]);
    this.lastSeq = row.last_seq;
    if (row.appended > 0) this.options.onAppended(row.channel_ids);
    return row.status;
  }

  private async loop(): Promise<void> {
    // Nothing is known to be under way at boot: arm at once instead of polling.
    let quiet = CHANGE_RELAY_SPINS;
    if ((this.bootStatus === 'idle' || this.bootStatus === 'busy') && !this.woken) await this.sleep(CHANGE_RELAY_IDLE_POLL);
    while (!this.stopped) {
      this.woken = false;
      let status: RelayStatus;
      try {
        status = await this.step(quiet >= CHANGE_RELAY_SPINS);
        if (this.failures > 0) this.logger.log(`Change-feed relay recovered after ${this.failures} failed steps`);
        this.failures = 0;
      } catch (error) {
        if (this.stopped) return;
        this.failures++;
        // Once per streak at warn level: the step is retried with a growing delay and loses nothing.
        if (this.failures === 1) this.logger.warn(`Change-feed relay step failed (${(error as Error).message}); retrying`);
        await this.sleep(Math.min(CHANGE_RELAY_IDLE_POLL, 50 * 2 ** this.failures));
        continue;
      }
      if (status === 'more') {
        quiet = 0;
        continue;
      }
      if (status === 'done' || status === 'empty') {
        // Also after work that drained the table: a step costs the same for one change as for
        // hundreds (its barrier and commit), and under steady writes an immediate next step would
        // find only the few that committed during the last one.
        quiet = status === 'done' ? 0 : quiet + 1;
        if (!this.woken) await this.sleep(CHANGE_RELAY_SPIN_INTERVAL);
        continue;
      }
      // 'idle' (armed: a writer's NOTIFY wakes it) or 'busy' (another process's relay works).
      if (!this.woken) await this.sleep(CHANGE_RELAY_IDLE_POLL);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake_ = () => {
        this.wake_ = undefined;
        done();
      };
    });
  }
}
