import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { FirehoseStore } from '../store/firehose.store.js';

/**
 * Keeps the newest `threshold` messages of each stream this process wrote to. It runs on a timer,
 * off the broadcast path, over only the streams written since its last pass.
 */
export class FirehoseCleaner implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Firehose');
  private dirty = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: FirehoseStore,
    private readonly threshold: number,
    private readonly interval: number,
  ) {}

  markWritten(streamIds: Iterable<number>): void {
    for (const id of streamIds) this.dirty.add(id);
    if (!this.timer && !this.stopped) {
      this.timer = setTimeout(() => void this.runOnce(), this.interval);
      this.timer.unref();
    }
  }

  /** One pass now; used by the timer and by tests that need the cleanup to have happened. */
  async runOnce(): Promise<void> {
    this.timer = undefined;
    if (this.running) return this.running;
    if (this.dirty.size === 0) return;
    const ids = [...this.dirty];
    this.dirty = new Set();
    this.running = this.pass(ids)
      .then((deleted) => {
        if (deleted > 0) this.logger.debug(`Cleanup removed ${deleted} messages from ${ids.length} streams`);
      })
      .catch((error: Error) => {
        for (const id of ids) this.dirty.add(id);
        this.logger.warn(`Cleanup failed, will retry on the next pass: ${error.message}`);
      })
      .finally(() => {
        this.running = undefined;
        if (this.dirty.size > 0 && !this.stopped) this.markWritten([]);
      });
    return this.running;
  }

  /**
   * Streams being appended to right now are skipped, then retried one at a time, waiting: a hot
   * stream is almost always locked by some append, and a single-row wait cannot deadlock.
   */
  private async pass(ids: number[]): Promise<number> {
    let { deleted, skipped } = await this.store.cleanup(ids, this.threshold);
    for (const id of skipped) deleted += (await this.store.cleanup([id], this.threshold, true)).deleted;
    return deleted;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
