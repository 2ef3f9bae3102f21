import type { WsErrorFrameCode } from '../protocol/ws-server-frame.js';

/**
 * The Firehose protocol over WebSocket, as text frames of JSON. Client frames are commands; the
 * server sends event frames (no `type` key, the seed's shape) and control frames (with `type`).
 */

/** `{"command":"subscribe","streams":["a"],"last_event_id":123}`; `last_event_id` is optional. */
export interface WsSubscribeCommand {
  command: 'subscribe';
  streams: string[];
  lastEventId?: number;
}

/** `{"command":"unsubscribe","streams":["a"]}`. */
export interface WsUnsubscribeCommand {
  command: 'unsubscribe';
  streams: string[];
}

export type WsCommand = WsSubscribeCommand | WsUnsubscribeCommand;

/** `code` of an error frame; the connection stays open after every one of them. */
export type WsErrorCode = WsErrorFrameCode;

/** Close codes the gateway uses besides the standard ones (1009 above the frame limit comes from `ws`). */
export const WS_CLOSE_GOING_AWAY = 1001;
export const WS_CLOSE_INTERNAL_ERROR = 1011;
/** Private-use range (4000–4999): the client fell behind and should reconnect with `last_event_id`. */
export const WS_CLOSE_TOO_SLOW = 4008;
