import { Observable } from 'rxjs';
import { isFirehoseReset, type FirehoseStreamItem } from '../protocol/firehose-event.js';
import type { FirehoseStore } from '../store/firehose.store.js';
import type { FirehoseHub } from './firehose-hub.js';
import type { HubSubscriber } from './hub-subscriber.interface.js';
import type { DeliveryTransport } from '../stats/delivery-transport.js';

/** Where an EventStreamReader sends what it reads. */
export interface EventStreamSink {
  next(item: FirehoseStreamItem): void;
  error(error: unknown): void;
  complete(): void;
  /** Once, right after the last replayed item and before the first live one. */
  live?(): void;
  /** Whom it delivers to, for the stats; `local` when absent. */
  readonly transport?: DeliveryTransport;
}

/**
 * Subscribe, replay, go live, in that order: the reader is registered with the hub first (live
 * events are held), the table is replayed after the cursor, then the held events are released,
 * dropping the ids replay already sent. Ids are commit-ordered, so a held event at or below the
 * cursor was necessarily in the replay, and one above it necessarily was not: no gap and no
 * duplicate.
 *
 * A class rather than closures: every idle connection holds one, so its size is the transports'
 * memory per connection.
 */
export class EventStreamReader implements HubSubscriber {
  private cursor: number;
  /** Per stream, the id a reset moved it to; only streams that had a reset have one. */
  private floors: Map<string, number> | undefined;
  private held: FirehoseStreamItem[] | undefined = [];
  private closed = false;

  constructor(
    private readonly hub: FirehoseHub,
    private readonly store: FirehoseStore,
    readonly streams: readonly string[],
    private readonly lastEventId: number | undefined,
    private readonly replayBatchSize: number,
    private readonly sink: EventStreamSink,
  ) {
    this.cursor = lastEventId ?? 0;
  }

  start(): this {
    this.hub.add(this.streams, this);
    this.replay().then(
      () => this.goLive(),
      (error) => !this.closed && this.sink.error(error),
    );
    return this;
  }

  get transport(): DeliveryTransport | undefined {
    return this.sink.transport;
  }

  /** Stops receiving some of its streams from the hub while it goes on with the others. */
  drop(streams: readonly string[]): void {
    if (!this.closed) this.hub.remove(streams, this);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.held = undefined;
    this.hub.remove(this.streams, this);
  }

  /** From the hub. */
  next(item: FirehoseStreamItem): void {
    if (this.held) this.held.push(item);
    else this.emit(item);
  }

  /** From the hub, at shutdown. */
  complete(): void {
    if (!this.closed) this.sink.complete();
  }

  private emit(item: FirehoseStreamItem): void {
    if (this.closed) return;
    if (isFirehoseReset(item)) {
      this.floors ??= new Map();
      this.floors.set(item.stream, Math.max(this.floors.get(item.stream) ?? 0, item.lastEventId));
    } else {
      if (item.id <= this.cursor || item.id <= (this.floors?.get(item.stream) ?? 0)) return;
      this.cursor = item.id;
    }
    this.sink.next(item);
  }

  private goLive(): void {
    const release = this.held ?? [];
    this.held = undefined;
    if (this.closed) return;
    for (const item of release) this.emit(item);
    if (!this.closed) this.sink.live?.();
  }

  private async replay(): Promise<void> {
    const top = await this.store.maxId();
    if (this.lastEventId === undefined) {
      // Live only: the hub may still hold events committed before this subscription; skip them.
      this.cursor = top;
      return;
    }
    if (this.cursor > top) {
      // The client's cursor is from another database or a restore: nothing it holds can be trusted.
      for (const stream of this.streams) this.emit({ type: 'reset', stream, lastEventId: top, reason: 'cursor-ahead' });
      this.cursor = top;
      return;
    }
    while (!this.closed) {
      const afters = this.streams.map((stream) => Math.max(this.cursor, this.floors?.get(stream) ?? 0));
      const page = await this.store.readAfter(this.streams, afters, this.replayBatchSize);
      if (this.closed) return;
      this.hub.stats.replayed(page.events.length);
      for (const reset of page.resets) this.emit(reset);
      for (const event of page.events) this.emit(event);
      if (page.events.length < this.replayBatchSize) return;
    }
  }
}

/**
 * Opens EventStreamReaders on the process's hub and store: the transports take a reader per
 * connection as it is, `FirehoseService.stream()` wraps one in an Observable.
 */
export class EventStreamReaderFactory {
  constructor(
    private readonly hub: FirehoseHub,
    private readonly store: FirehoseStore,
    private readonly replayBatchSize: number,
  ) {}

  /** Starts reading `streams` after `lastEventId` (live only without it) into `sink`. */
  open(streams: readonly string[], lastEventId: number | undefined, sink: EventStreamSink): EventStreamReader {
    return new EventStreamReader(this.hub, this.store, streams, lastEventId, this.replayBatchSize, sink).start();
  }

  observe(streams: readonly string[], lastEventId: number | undefined, onLive?: () => void): Observable<FirehoseStreamItem> {
    return new Observable<FirehoseStreamItem>((subscriber) => {
      const reader = this.open(streams, lastEventId, {
        next: (item) => subscriber.next(item),
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
        live: onLive,
      });
      return () => reader.close();
    });
  }
}
