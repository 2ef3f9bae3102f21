/**
 * What a client sends over the Firehose WebSocket, exactly as it travels (JSON text frames).
 * Types only: the browser client and the server both compile against them, and nothing here
 * exists at run time, so the client carries no server code.
 */

/** `{"command":"subscribe","streams":["a","b"],"last_event_id":123}`; without `last_event_id` only live events follow. */
export interface WsSubscribeFrame {
  command: 'subscribe';
  streams: string[];
  last_event_id?: number;
}

/** `{"command":"unsubscribe","streams":["a"]}`. */
export interface WsUnsubscribeFrame {
  command: 'unsubscribe';
  streams: string[];
}

export type WsClientFrame = WsSubscribeFrame | WsUnsubscribeFrame;
