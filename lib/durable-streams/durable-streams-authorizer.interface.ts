import type { IncomingMessage } from 'node:http';

/**
 * What a Durable Streams request does to a stream. `read` covers GET (catch-up, long-poll, SSE)
 * and HEAD; `append` covers POST, closing included; `fork` is a PUT with `Stream-Forked-From`.
 *
 * @publicApi
 */
export type DurableStreamsOperation = 'create' | 'append' | 'read' | 'delete' | 'fork';

/**
 * One question to the authorizer: may this request do `operation` on this stream?
 *
 * @publicApi
 */
export interface DurableStreamsAccessContext<TRequest extends IncomingMessage = IncomingMessage> {
  /** What the request does to the stream. */
  operation: DurableStreamsOperation;
  /** The stream's name below the base path, e.g. `chat/room-1` for `/v1/stream/chat/room-1`. */
  stream: string;
  /** The stream's URL path, e.g. `/v1/stream/chat/room-1`: what `Location` and `Stream-Forked-From` name. */
  path: string;
  /** For `fork`: the name of the stream it forks from (asked about separately as a `read`). */
  source?: string;
  /** The request, carrying whatever the app's guards attached to it, e.g. `request.user`. */
  request: TRequest;
}

/**
 * Decides which Durable Streams requests may go on, per stream and operation. Registered with
 * `DurableStreamsModule.forRoot({ authorizer: MyAuthorizer })` as a provider of the module, so it
 * can inject the app's services (list their modules in `imports`). It runs after the app's guards,
 * once per request; a fork asks it twice: `fork` for the new stream and `read` for its source.
 * Without one, every request is refused. Name the request's shape to read what your guards
 * attached: `implements DurableStreamsAuthorizer<IncomingMessage & { user: User }>`.
 *
 * @publicApi
 */
export interface DurableStreamsAuthorizer<TRequest extends IncomingMessage = IncomingMessage> {
  /** True to let the request go on; false refuses it with 403. */
  authorize(context: DurableStreamsAccessContext<TRequest>): boolean | Promise<boolean>;
  /**
   * True when anyone may read every stream: catch-up reads are then `Cache-Control: public`, so
   * shared caches (CDNs) may keep them, unless a guard runs on the routes (the module's `guards`
   * or a global guard). Otherwise they are `private`.
   */
  readonly readsArePublic?: boolean;
}
