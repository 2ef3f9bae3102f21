import type { ListenerState } from '../listener/listener-state.js';
import type { DeliveryTransport } from './delivery-transport.js';

/**
 * What the subscribers of one stream, or of one transport, received in this process.
 *
 * @publicApi
 */
export interface FirehoseDeliveryFigures {
  /** Subscribers now: connections' subscriptions, `stream()` Observables, `@OnFirehose` handlers. */
  subscribers: number;
  /** Events handed to subscribers, one per subscriber and event, since boot (per stream: since it was last idle). */
  delivered: number;
  /** Subscribers cut off for not reading (WebSocket 4008, SSE past `sseMaxPendingBytes`); they resume from their last id. */
  dropped: number;
}

/**
 * The last reading of PostgreSQL's NOTIFY queue (`pg_notification_queue_usage()`), taken by the
 * operations module's queue watch.
 *
 * @publicApi
 */
export interface FirehoseNotifyQueueFigures {
  /** Fraction of the queue in use, 0 to 1. When it is full, every NOTIFY (every broadcast) fails. */
  usage: number;
  /** The `queueWarnThreshold` it is compared with. */
  threshold: number;
  /** `usage` is above `threshold`: the queue watch has logged a warning. */
  aboveThreshold: boolean;
  /** When it was read (ISO 8601). */
  checkedAt: string;
}

/**
 * The figures of one process, as `FirehoseService.stats()` and the operations endpoint report them.
 *
 * @publicApi
 */
export interface FirehoseStatsSnapshot {
  /** When it was taken (ISO 8601). */
  at: string;
  /** Which process this is: the figures are per instance, so compare them across instances. */
  instance: { pid: number; hostname: string; uptimeSeconds: number };
  /** True once the app is shutting down: new connections are refused with 503. */
  draining: boolean;
  /** The LISTEN connection's state and how often it was restored after a loss since boot. */
  listener: { state: ListenerState; reconnects: number };
  /** Null until the operations module's queue watch has read it. */
  notifyQueue: FirehoseNotifyQueueFigures | null;
  /** Open connections by transport (`websocket`, `sse`, and any registered source), and their `total`. */
  connections: { total: number; [transport: string]: number };
  /** The process's figures in one place; `delivered` and `dropped` add up the transports'. */
  totals: {
    /** Broadcasts written since boot, batched or in the caller's transaction. */
    broadcasts: number;
    /** Group-commit batches written since boot. */
    batches: number;
    /** Streams with a subscriber in this process now. */
    streams: number;
    subscribers: number;
    delivered: number;
    dropped: number;
    /** Rows read to replay history to new subscribers since boot. */
    replayedRows: number;
  };
  /** By whom the subscribers deliver: WebSocket and SSE connections, and `local` ones (`stream()`, `@OnFirehose`). */
  transports: Record<DeliveryTransport, FirehoseDeliveryFigures>;
  /** Per stream, the busiest first (most subscribers), up to the operations module's `streamLimit`. */
  streams: Record<string, FirehoseDeliveryFigures>;
  /** What registered sources report, by name (e.g. `topics`). */
  features: Record<string, unknown>;
}
