import type { IncomingMessage } from 'node:http';
import type { FirehoseEvent } from '../protocol/firehose-event.js';

/**
 * Who is asking for streams, as the transports know it. `TRequest` is the request as the app's
 * guards leave it, e.g. `IncomingMessage & { user: User }`.
 */
export interface FirehoseConnectionContext<TRequest extends IncomingMessage = IncomingMessage> {
  /** The transport the connection came in on: Server-Sent Events or WebSocket. */
  transport: 'sse' | 'ws';
  /**
   * The HTTP request that opened the connection (for WebSocket, the upgrade request), carrying
   * whatever the app's guards attached to it, e.g. `request.user`.
   */
  request: TRequest;
}

/**
 * Decides which streams a connection may receive, and optionally reshapes events per connection.
 * Registered with `FirehoseModule.forRoot({ authorizer: MyAuthorizer })` as a provider of the module,
 * so it can inject the app's services. Without one, every stream is refused. Name the request's
 * shape to read what your guards attached: `implements FirehoseAuthorizer<IncomingMessage & { user: User }>`.
 *
 * @publicApi
 */
export interface FirehoseAuthorizer<TRequest extends IncomingMessage = IncomingMessage> {
  /**
   * Returns the subset of `streams` the connection may receive (it may be empty). Names not in
   * `streams` are ignored. Called once per connection, before any event or replay is sent.
   */
  authorizeStreams(streams: string[], context: FirehoseConnectionContext<TRequest>): string[] | Promise<string[]>;
  /**
   * Called for every event before it is sent to this connection, replay included: return the event
   * to send (the same one or a copy with other `data`), or `null` to skip it for this connection.
   * Without it, each event is serialized once and the same text goes to every connection.
   */
  buildEvent?(event: FirehoseEvent, context: FirehoseConnectionContext<TRequest>): FirehoseEvent | null | Promise<FirehoseEvent | null>;
}
