import type { FirehoseResetReason } from './firehose-event.js';

/**
 * What the server sends over the Firehose WebSocket, exactly as it travels. Event frames are the
 * original protocol's and have no `type`; every control frame has one. Types and close codes only
 * (see ws-client-frame.ts).
 */

/** `{"id":456,"stream":"a","data":"refresh","sequence":7,"channel_id":3}`; `id` is the resume cursor. */
export interface WsEventFrame<T = unknown> {
  /** Global event id, commit-ordered: what `last_event_id` resumes after. */
  id: number;
  /** The stream's name. */
  stream: string;
  /** The broadcast's data. */
  data: T;
  /** Position in its stream: 1, 2, 3… */
  sequence: number;
  /** Id of the stream's row (`streamId` in the TypeScript API). */
  channel_id: number;
}

/** Sent once a subscription is live, after its replay: the streams the connection now receives. */
export interface WsSubscribedFrame {
  /** Tells the frame apart. */
  type: 'subscribed';
  /** The streams of the command that are now live. */
  streams: string[];
}

/** Answers every unsubscribe. */
export interface WsUnsubscribedFrame {
  /** Tells the frame apart. */
  type: 'unsubscribed';
  /** The streams the command named. */
  streams: string[];
}

/** Why history could not be replayed: cleaned up, or the cursor is ahead of the log (a restored database). */
export type WsResetReason = FirehoseResetReason;

/** Replaces a partial replay of `stream`: reload its state; events after `last_event_id` follow. */
export interface WsResetFrame {
  /** Tells the frame apart. */
  type: 'reset';
  /** The stream whose replay could not be complete. */
  stream: string;
  /** Delivery of the stream goes on after this id. */
  last_event_id: number;
  /** Why the replay could not be complete. */
  reason: WsResetReason;
}

/** `code` of an error frame; the connection stays open after every one of them. */
export type WsErrorCode =
  | 'invalid-json'
  | 'unknown-command'
  | 'invalid-command'
  | 'invalid-stream'
  | 'too-many-streams'
  | 'too-many-commands'
  | 'unauthorized';

/** A refused command; `streams` names the refused streams when the refusal is about some of them. */
export interface WsErrorFrame {
  /** Tells the frame apart. */
  type: 'error';
  /** What went wrong, for code to act on. */
  code: WsErrorCode;
  /** What went wrong and what to do, for people. */
  message: string;
  /** The refused streams, when the refusal is about some of the command's streams. */
  streams?: string[];
}

/** Close codes the gateway uses besides the standard ones (1009 above the frame limit comes from `ws`). */
/** The server is shutting down: reconnect (to another instance) with `last_event_id`. */
export const WS_CLOSE_GOING_AWAY = 1001;
/** A stream failed on the server: reconnect with `last_event_id`. */
export const WS_CLOSE_INTERNAL_ERROR = 1011;
/** Private-use range (4000–4999): the client fell behind and should reconnect with `last_event_id`. */
export const WS_CLOSE_TOO_SLOW = 4008;

/** Every frame the server sends that is not an event: they all have a `type`. */
export type WsControlFrame = WsSubscribedFrame | WsUnsubscribedFrame | WsResetFrame | WsErrorFrame;
/** Every frame the server sends. */
export type WsServerFrame = WsEventFrame | WsControlFrame;
