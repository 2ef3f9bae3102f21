import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { FirehoseEvent } from '../protocol/firehose-event.js';
import { eventFromRow } from '../store/event-row.js';
import type { AppendedRow, FirehoseStore } from '../store/firehose.store.js';
import type { FirehoseStats } from '../stats/firehose-stats.js';

interface PendingBroadcast {
  stream: string;
  json: string;
  data: unknown;
  resolve(event: FirehoseEvent): void;
  reject(error: unknown): void;
}

/**
 * Group commit. A notifying commit holds a cluster-wide lock through its WAL flush, so one
 * transaction per broadcast caps out near 3k/s; instead, broadcasts that arrive while a write is in
 * flight gather into the next batch, written by one INSERT + NOTIFY round trip. At low load a batch
 * is a single event and waits for nothing, not even the next event-loop turn.
 */
export class BroadcastBatcher implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Firehose');
  private queue: PendingBroadcast[] = [];
  private inFlight: Promise<void> | undefined;
  private scheduled = false;
  /** Size of the batch written last: one means low load. */
  private lastBatchSize = 1;
  private readonly flushScheduled = () => this.startFlush();
  /** The promise of the newest broadcast enqueued. */
  private lastAccepted: Promise<FirehoseEvent> | undefined;

  constructor(
    private readonly store: FirehoseStore,
    private readonly batchSize: number,
    private readonly onCommitted: (streamIds: Iterable<number>) => void,
    private readonly stats: FirehoseStats,
  ) {}

  enqueue(stream: string, json: string, data: unknown): Promise<FirehoseEvent> {
    return (this.lastAccepted = new Promise((resolve, reject) => {
      this.queue.push({ stream, json, data, resolve, reject });
      if (this.inFlight || this.scheduled) return;
      this.scheduled = true;
      // Under load, flushing on the next macrotask lets every broadcast of this event-loop turn
      // (all requests whose I/O completed together) join the batch. When the last batch held one
      // event, nothing suggests company is coming: this one leaves once the current code is done.
      if (this.lastBatchSize > 1) setImmediate(this.flushScheduled);
      else queueMicrotask(this.flushScheduled);
    }));
  }

  /**
   * Resolves once every broadcast enqueued so far has been committed or rejected. Batches are
   * written in order, so that is when the last one settles; broadcasts enqueued meanwhile (an app
   * that goes on broadcasting while it shuts down) are written as usual but not waited for, or a
   * busy app would never finish draining.
   */
  async drain(): Promise<void> {
    this.startFlush();
    await this.lastAccepted?.catch(() => undefined);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  private startFlush(): void {
    this.scheduled = false;
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = this.flushLoop().finally(() => {
      this.inFlight = undefined;
      // A caller resumed by the last batch may have enqueued before this callback ran.
      if (this.queue.length > 0) this.startFlush();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.length <= this.batchSize ? this.queue : this.queue.slice(0, this.batchSize);
      this.queue = batch === this.queue ? [] : this.queue.slice(this.batchSize);
      await this.write(batch);
    }
  }

  private async write(batch: PendingBroadcast[]): Promise<void> {
    this.lastBatchSize = batch.length;
    let rows: AppendedRow[];
    const startedAt = performance.now();
    try {
      rows = await this.store.append(
        batch.map((p) => p.stream),
        batch.map((p) => p.json),
      );
    } catch (error) {
      this.logger.error(`Broadcast batch of ${batch.length} failed: ${(error as Error).message}`);
      for (const pending of batch) pending.reject(error);
      return;
    }
    // Rows come back in id order, which is batch order: ids are assigned in input order.
    const streamIds = new Set<number>();
    for (let i = 0; i < batch.length; i++) {
      const row = rows[i];
      streamIds.add(row.channel_id);
      batch[i].resolve(eventFromRow(row, batch[i].data));
    }
    this.onCommitted(streamIds);
    this.stats.batchCommitted(batch.length, Number(rows[rows.length - 1].id), startedAt);
  }
}
