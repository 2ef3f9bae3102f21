/**
 * One stored broadcast, as every consumer sees it. The same shape as the WebSocket frame of the
 * Firehose protocol, with `streamId` for the frame's `channel_id`.
 */
export interface FirehoseEvent<T = unknown> {
  /** Global id, commit-ordered across all streams: a safe resume cursor (`last_event_id`). */
  id: number;
  /** The stream's name, as given to `broadcast()`. */
  stream: string;
  /** The broadcast's data, as it came back from JSON. */
  data: T;
  /** Position in its stream: 1, 2, 3… with no hole, in commit order. */
  sequence: number;
  /** Id of the stream's row in `firehose_channels`. */
  streamId: number;
}

/** Why history could not be replayed: cleaned up, or the cursor is ahead of the log (a restored database). */
export type FirehoseResetReason = 'history-trimmed' | 'cursor-ahead';

/**
 * Emitted instead of a partial replay: the events of `stream` after the requested cursor are no
 * longer all kept (cleanup trimmed them, or the cursor is from another database). The subscriber
 * should reload its state for that stream; delivery goes on with events after `lastEventId`.
 */
export interface FirehoseReset {
  /** Tells a reset from an event (`isFirehoseReset`). */
  type: 'reset';
  /** The stream whose replay could not be complete. */
  stream: string;
  /**
   * Delivery of the stream goes on with events after this id: the stream's newest event when its
   * history was found trimmed, the log's newest event when the cursor was ahead of the log.
   */
  lastEventId: number;
  /** Why the replay could not be complete. */
  reason: FirehoseResetReason;
}

/** What `FirehoseService.stream()` emits. */
export type FirehoseStreamItem<T = unknown> = FirehoseEvent<T> | FirehoseReset;

/** True when a `stream()` item is a reset rather than an event. */
export function isFirehoseReset(item: FirehoseStreamItem): item is FirehoseReset {
  return (item as FirehoseReset).type === 'reset';
}
