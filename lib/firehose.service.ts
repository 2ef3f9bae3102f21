import { Inject, Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { DEFAULT_STATS_STREAM_LIMIT, FIREHOSE_RESOLVED_OPTIONS } from './firehose.constants.js';
import type { ResolvedFirehoseOptions } from './firehose-options.js';
import { FirehoseCleaner } from './cleanup/firehose-cleaner.js';
import { EventStreamReaderFactory } from './delivery/event-stream-reader.js';
import { FirehoseInvalidCursorError } from './errors/invalid-cursor.error.js';
import type { BroadcastOptions, StreamOptions } from './interfaces/broadcast-options.interface.js';
import type { FirehoseEvent, FirehoseStreamItem } from './protocol/firehose-event.js';
import { isCursor } from './protocol/cursor.js';
import type { FirehoseQueue } from './interfaces/firehose-queue.interface.js';
import type { ListenerState } from './listener/listener-state.js';
import { PgListener } from './listener/pg-listener.js';
import { BroadcastBatcher } from './publish/broadcast-batcher.js';
import { serializeData } from './publish/serialize-data.js';
import { assertValidStreamName, normalizeStreamNames } from './publish/stream-name.js';
import { FirehoseQueueRegistry } from './queue/firehose-queue.registry.js';
import { eventFromRow } from './store/event-row.js';
import { FirehoseStore } from './store/firehose.store.js';
import type { FirehoseMessageEvent } from './transports/message-events/firehose-message-event.interface.js';
import { MessageEventStreams } from './transports/message-events/message-event-streams.js';
import { toMessageEvents } from './transports/message-events/to-message-events.js';
import { ConnectionSlots } from './transports/connection/connection-slots.js';
import { FirehoseStats } from './stats/firehose-stats.js';
import type { FirehoseStatsSnapshot } from './stats/firehose-stats-snapshot.interface.js';

const BROADCAST_TOO_LARGE = 'send less data (an id to look up, say) or raise the maxPayloadBytes option';

/** What `FirehoseService.health()` reports. */
export interface FirehoseHealth {
  /** `connected` is healthy; see ListenerState for the others. */
  listener: ListenerState;
}

/**
 * The public face of the module: broadcast to a stream, consume streams with replay, open
 * ephemeral queues. Holds no state of its own.
 *
 * @publicApi
 */
@Injectable()
export class FirehoseService {
  /** @internal Nest injects the module's own providers. */
  constructor(
    @Inject(FIREHOSE_RESOLVED_OPTIONS) private readonly options: ResolvedFirehoseOptions,
    private readonly store: FirehoseStore,
    private readonly batcher: BroadcastBatcher,
    private readonly readers: EventStreamReaderFactory,
    private readonly cleaner: FirehoseCleaner,
    private readonly queues: FirehoseQueueRegistry,
    private readonly listener: PgListener,
    private readonly messageEventStreams: MessageEventStreams,
    private readonly statsRegistry: FirehoseStats,
    private readonly slots: ConnectionSlots,
  ) {}

  /**
   * Stores `data` as the next event of `stream` and delivers it to every process. Resolves once it
   * is committed (or, with `manager`, once written in the caller's transaction).
   */
  async broadcast<T>(stream: string, data: T, options: BroadcastOptions = {}): Promise<FirehoseEvent<T>> {
    assertValidStreamName(stream);
    const json = serializeData(data, this.options.maxPayloadBytes, BROADCAST_TOO_LARGE);
    if (!options.manager) return this.batcher.enqueue(stream, json, data) as Promise<FirehoseEvent<T>>;
    const [row] = await this.store.append([stream], [json], options.manager);
    this.statsRegistry.broadcastInTransaction();
    this.cleaner.markWritten([row.channel_id]);
    return eventFromRow(row, data);
  }

  /**
   * Events of `streams` as they commit. With `lastEventId`, every kept event after it is replayed
   * first, with no gap or duplicate at the switch to live; a stream whose history after that id was
   * trimmed yields a `FirehoseReset` item instead of a partial replay.
   */
  stream<T = unknown>(streams: string | string[], options: StreamOptions = {}): Observable<FirehoseStreamItem<T>> {
    const names = normalizeStreamNames(streams);
    const { lastEventId, onLive } = options;
    if (lastEventId !== undefined && !isCursor(lastEventId)) {
      throw new FirehoseInvalidCursorError(lastEventId);
    }
    return this.readers.observe(names, lastEventId, onLive) as Observable<FirehoseStreamItem<T>>;
  }

  /**
   * `stream()` as Nest `MessageEvent`s, for an app's own `@Sse()` routes (with its own guards,
   * interceptors and paths): each has the event's `id`, the stream as its `type` and the Firehose
   * protocol's SSE payload as `data`, as the built-in SSE route writes them. Resets come as
   * `firehose:reset` events. It completes when the app shuts down, so open responses end and the
   * HTTP server can close. Pair it with `@LastEventId()`.
   */
  messageEvents<T = unknown>(
    streams: string | string[],
    options: Pick<StreamOptions, 'lastEventId'> = {},
  ): Observable<FirehoseMessageEvent<T>> {
    return this.messageEventStreams.untilShutdown(toMessageEvents(this.stream<T>(streams, options), options.lastEventId));
  }

  /** Opens a handle on an ephemeral queue; see FirehoseQueue for who receives what. */
  queue<T = unknown>(name: string): FirehoseQueue<T> {
    return this.queues.open<T>(name);
  }

  /** The state of this process's LISTEN connection. */
  health(): FirehoseHealth {
    return { listener: this.listener.state };
  }

  /**
   * This process's figures: connections by transport, subscribers, deliveries and drops in total,
   * per transport and per stream (the `streamLimit` busiest), the listener, and the NOTIFY queue
   * once `FirehoseOperationsModule` watches it. Cheap enough to poll; see docs/operations.md.
   */
  stats(streamLimit = DEFAULT_STATS_STREAM_LIMIT): FirehoseStatsSnapshot {
    return this.statsRegistry.snapshot({
      listener: { state: this.listener.state, reconnects: this.listener.reconnects },
      draining: this.slots.draining,
      streamLimit,
    });
  }

  /** Removes old messages now instead of on the next timer tick (keeps `cleanupThreshold` per stream). */
  cleanup(): Promise<void> {
    return this.cleaner.runOnce();
  }
}
