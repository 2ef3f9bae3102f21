import type { WsErrorCode, WsResetReason } from '../protocol/ws-server-frame.js';

/**
 * The events the browser client dispatches on `document`. `firehose:message` and its detail are
 * the Firehose protocol's own client's; the others are this client's additions, so a page can show connection state
 * and reload a stream whose history is gone.
 */
export const FIREHOSE_MESSAGE_EVENT = 'firehose:message';
export const FIREHOSE_RESET_EVENT = 'firehose:reset';
export const FIREHOSE_OPEN_EVENT = 'firehose:open';
export const FIREHOSE_CLOSED_EVENT = 'firehose:closed';
export const FIREHOSE_RECONNECTING_EVENT = 'firehose:reconnecting';
export const FIREHOSE_SUBSCRIBED_EVENT = 'firehose:subscribed';
export const FIREHOSE_ERROR_EVENT = 'firehose:error';
/** A message of an ephemeral topic the page listens to (`Firehose.listenTopic`). */
export const FIREHOSE_TOPIC_EVENT = 'firehose:topic';

/** `detail` of `firehose:message`: exactly the Firehose protocol's `{ id, stream, data }`. */
export interface FirehoseMessageDetail<T = unknown> {
  id: number;
  stream: string;
  data: T;
}

/** `detail` of `firehose:reset`: the stream's history after your cursor is gone; reload its state. */
export interface FirehoseResetDetail {
  path: string;
  stream: string;
  last_event_id: number;
  reason: WsResetReason;
}

/** `detail` of `firehose:open`: the socket of `path` is open (subscriptions follow at once). */
export interface FirehoseOpenDetail {
  path: string;
}

/** `detail` of `firehose:closed`: the socket of `path` closed; `reconnect` says whether a retry follows. */
export interface FirehoseClosedDetail {
  path: string;
  code: number;
  reason: string;
  reconnect: boolean;
}

/** `detail` of `firehose:reconnecting`: the next attempt, counted from 1, opens after `delay` ms. */
export interface FirehoseReconnectingDetail {
  path: string;
  attempt: number;
  delay: number;
}

/** `detail` of `firehose:subscribed`: these streams are live (their replay, if any, is over). */
export interface FirehoseSubscribedDetail {
  path: string;
  streams: string[];
}

/** `detail` of `firehose:error`: the server refused a command (e.g. `unauthorized` streams). */
export interface FirehoseErrorDetail {
  path: string;
  code: WsErrorCode;
  message: string;
  streams?: string[];
}

/** `detail` of `firehose:topic`: a message of `topic`, served under `path`. Topics have no ids: nothing is kept. */
export interface FirehoseTopicDetail<T = unknown> {
  path: string;
  topic: string;
  data: T;
}

/** The state of one path's connection, as `Firehose.state(path)` reports it. */
export type FirehoseConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting';
