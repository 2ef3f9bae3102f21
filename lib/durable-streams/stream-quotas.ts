import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { QUOTA_MEASURE_INTERVAL } from './durable-streams.constants.js';
import { StreamRequestError } from './errors/stream-request.error.js';
import type { StreamStore } from './store/stream.store.js';

/**
 * The storage quotas of `DurableStreamsModule`: bytes per stream (exact: the append function
 * checks it under the stream's lock; a PUT's initial body is checked here) and bytes across all
 * streams. The total is not kept in a row every append would update (one hot row would serialize
 * every writer of every process): each process measures it every `QUOTA_MEASURE_INTERVAL` ms and
 * adds what it appended since. So the total may overshoot by what other processes append within
 * one interval, and bytes freed by deletes count again after the next measurement.
 */
export class StreamQuotas implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DurableStreams');
  private measured: number | undefined;
  private sinceMeasured = 0;
  private measuring: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly streams: StreamStore,
    readonly maxStreamBytes: number | null,
    readonly maxTotalBytes: number | null,
    private readonly interval = QUOTA_MEASURE_INTERVAL,
  ) {}

  onApplicationBootstrap(): void {
    if (this.maxTotalBytes === null) return;
    this.timer = setInterval(() => void this.measure(), this.interval);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** 413 when a stream would start with more than `maxStreamBytes`. */
  checkStream(bytes: number): void {
    if (this.maxStreamBytes !== null && bytes > this.maxStreamBytes) throw this.streamFull();
  }

  /** The error of an append past `maxStreamBytes`. */
  streamFull(): StreamRequestError {
    return new StreamRequestError(413, `The stream is full: a stream holds at most ${this.maxStreamBytes} bytes`);
  }

  /** 507 when `bytes` more would take all streams past `maxTotalBytes`. */
  async checkTotal(bytes: number): Promise<void> {
    if (this.maxTotalBytes === null || bytes === 0) return;
    if (this.measured === undefined) await this.measure();
    if ((this.measured ?? 0) + this.sinceMeasured + bytes > this.maxTotalBytes) {
      throw new StreamRequestError(507, `The streams' storage is full (${this.maxTotalBytes} bytes): delete streams or retry later`);
    }
  }

  /** Counts bytes this process stored. */
  added(bytes: number): void {
    if (this.maxTotalBytes !== null) this.sinceMeasured += bytes;
  }

  /** Measures the total; bytes added meanwhile stay counted (maybe twice: the estimate errs high). */
  measure(): Promise<void> {
    this.measuring ??= (async () => {
      const before = this.sinceMeasured;
      try {
        this.measured = await this.streams.storedBytes();
        this.sinceMeasured -= before;
      } catch (error) {
        this.logger.warn(`Measuring the streams' storage failed (${(error as Error).message}); next try in ${this.interval} ms`);
      } finally {
        this.measuring = undefined;
      }
    })();
    return this.measuring;
  }
}
