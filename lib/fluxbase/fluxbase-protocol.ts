import type { FirehoseResetReason } from '../protocol/firehose-event.js';

/**
 * Fluxbase's realtime WebSocket protocol, exactly as it travels, for clients written in
 * TypeScript. Every frame is a JSON object with a `type`. Types only.
 */

/** Subscribes to a channel: a table feed (`table:public.products`) or any stream. */
export interface FluxbaseSubscribeMessage {
  /** Tells the message apart. */
  type: 'subscribe';
  /** The channel: `table:<schema>.<table>`, or a stream's name. */
  channel: string;
  /**
   * Not in Fluxbase: the `id` of the last broadcast received on this channel. The server replays
   * every kept broadcast after it, then goes live, with no gap and no duplicate.
   */
  last_event_id?: number | string;
}

/** Stops the broadcasts of a channel. */
export interface FluxbaseUnsubscribeMessage {
  /** Tells the message apart. */
  type: 'unsubscribe';
  /** The channel subscribed to. */
  channel: string;
}

/** A client's keep-alive; the server answers with a heartbeat. */
export interface FluxbaseClientHeartbeatMessage {
  /** Tells the message apart. */
  type: 'heartbeat';
}

/** Every message a client may send. */
export type FluxbaseClientMessage = FluxbaseSubscribeMessage | FluxbaseUnsubscribeMessage | FluxbaseClientHeartbeatMessage;

/**
 * One event of a channel. On a table channel the payload is the row change,
 * `{type, table, schema, record?, old_record?}`; on any other stream it is the `data` given to
 * `FirehoseService.broadcast()`, as it is.
 */
export interface FluxbaseBroadcastFrame<T = unknown> {
  /** Tells the frame apart. */
  type: 'broadcast';
  /** The channel subscribed to. */
  channel: string;
  /** The row change, or the broadcast's data. */
  payload: T;
  /** Not in Fluxbase: the event's id, commit-ordered; send it back as `last_event_id` to resume. */
  id: number;
}

/**
 * A subscription is live (after the replay of `last_event_id`, if any): every broadcast committed
 * from now on follows. With `unsubscribed: true`, the answer to an unsubscribe.
 */
export interface FluxbaseAckFrame {
  /** Tells the frame apart. */
  type: 'ack';
  /** The channel of the message answered. */
  channel: string;
  /** Present, and true, when this answers an unsubscribe. */
  unsubscribed?: true;
}

/** Sent every `heartbeatInterval` (30 s by default), and in answer to a client's heartbeat. */
export interface FluxbaseHeartbeatFrame {
  /** Tells the frame apart. */
  type: 'heartbeat';
}

/** A refused message; the connection stays open. */
export interface FluxbaseErrorFrame {
  /** Tells the frame apart. */
  type: 'error';
  /** What went wrong and what to do, for people. */
  error: string;
  /** Not in Fluxbase: the channel refused, when the message named one. */
  channel?: string;
}

/**
 * Not in Fluxbase: the history after the `last_event_id` of a subscribe is no longer all kept
 * (cleanup trimmed it, or the id is from another database). Reload the channel's state (e.g.
 * fetch the table); broadcasts after `last_event_id` (the reset's) follow.
 */
export interface FluxbaseResetFrame {
  /** Tells the frame apart. */
  type: 'reset';
  /** The channel whose replay could not be complete. */
  channel: string;
  /** Broadcasts of the channel go on after this id. */
  last_event_id: number;
  /** Why the replay could not be complete. */
  reason: FirehoseResetReason;
}

/** Every frame the server sends. */
export type FluxbaseServerFrame =
  | FluxbaseBroadcastFrame
  | FluxbaseAckFrame
  | FluxbaseHeartbeatFrame
  | FluxbaseErrorFrame
  | FluxbaseResetFrame;
