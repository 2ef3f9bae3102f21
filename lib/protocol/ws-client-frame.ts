/**
 * What a client sends over the Firehose WebSocket, exactly as it travels (JSON text frames).
 * Types only: the browser client and the server both compile against them, and nothing here
 * exists at run time, so the client carries no server code.
 */

/** `{"command":"subscribe","streams":["a","b"],"last_event_id":123}`; without `last_event_id` only live events follow. */
export interface WsSubscribeFrame {
  /** Tells the command apart. */
  command: 'subscribe';
  /** The streams to receive, each a valid stream name. */
  streams: string[];
  /** Replay every kept event after this id first. */
  last_event_id?: number;
}

/** `{"command":"unsubscribe","streams":["a"]}`. */
export interface WsUnsubscribeFrame {
  /** Tells the command apart. */
  command: 'unsubscribe';
  /** The streams to stop receiving. */
  streams: string[];
}

/** Every command a client sends. */
export type WsClientFrame = WsSubscribeFrame | WsUnsubscribeFrame;
