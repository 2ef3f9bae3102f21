import type { FirehoseResetReason } from './firehose-event.js';

/**
 * What the server sends over the Firehose WebSocket, exactly as it travels. Event frames are the
 * original protocol's and have no `type`; every control frame has one. Types and close codes only
 * (see ws-client-frame.ts).
 */

/** `{"id":456,"stream":"a","data":"refresh","sequence":7,"channel_id":3}`; `id` is the resume cursor. */
export interface WsEventFrame<T = unknown> {
  id: number;
  stream: string;
  data: T;
  sequence: number;
  channel_id: number;
}

/** Sent once a subscription is live, after its replay: the streams the connection now receives. */
export interface WsSubscribedFrame {
  type: 'subscribed';
  streams: string[];
}

/** Answers every unsubscribe. */
export interface WsUnsubscribedFrame {
  type: 'unsubscribed';
  streams: string[];
}

/** Why history could not be replayed: cleaned up, or the cursor is ahead of the log (a restored database). */
export type WsResetReason = FirehoseResetReason;

/** Replaces a partial replay of `stream`: reload its state; events after `last_event_id` follow. */
export interface WsResetFrame {
  type: 'reset';
  stream: string;
  last_event_id: number;
  reason: WsResetReason;
}

/** `code` of an error frame; the connection stays open after every one of them. */
export type WsErrorCode =
  | 'invalid-json'
  | 'unknown-command'
  | 'invalid-command'
  | 'invalid-stream'
  | 'too-many-streams'
  | 'unauthorized';

/** A refused command; `streams` names the refused streams when the refusal is about some of them. */
export interface WsErrorFrame {
  type: 'error';
  code: WsErrorCode;
  message: string;
  streams?: string[];
}

/** Close codes the gateway uses besides the standard ones (1009 above the frame limit comes from `ws`). */
export const WS_CLOSE_GOING_AWAY = 1001;
export const WS_CLOSE_INTERNAL_ERROR = 1011;
/** Private-use range (4000–4999): the client fell behind and should reconnect with `last_event_id`. */
export const WS_CLOSE_TOO_SLOW = 4008;

export type WsControlFrame = WsSubscribedFrame | WsUnsubscribedFrame | WsResetFrame | WsErrorFrame;
export type WsServerFrame = WsEventFrame | WsControlFrame;
