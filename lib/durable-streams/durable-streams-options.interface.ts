import type { CanActivate, DynamicModule, ForwardReference, Type } from '@nestjs/common';
import type { DurableStreamsAuthorizer } from './durable-streams-authorizer.interface.js';

/**
 * Options of `DurableStreamsModule.forRoot`: serve the Durable Streams HTTP protocol from
 * PostgreSQL. Plain values, because the route is mounted when the module graph is built.
 */
export interface DurableStreamsOptions {
  /** Base path; each stream is a URL below it (`{path}/{name...}`), after the app's global prefix. @default '/v1/stream' */
  path?: string;
  /**
   * Class implementing `DurableStreamsAuthorizer`, instantiated by the module: decides per stream
   * and operation. Without one every request is refused with 403 (`AllowAllDurableStreamsAuthorizer`
   * for demos and trusted networks).
   */
  authorizer?: Type<DurableStreamsAuthorizer>;
  /** Your guard classes, run in order on every Durable Streams request, after global guards and before the authorizer. @default [] */
  guards?: Type<CanActivate>[];
  /** Modules whose exported providers your `guards` and `authorizer` inject (e.g. a ThrottlerModule registration). @default [] */
  imports?: Array<Type | DynamicModule | Promise<DynamicModule> | ForwardReference>;
  /**
   * Origins that may call the routes from a browser page of another origin (CORS), as
   * `scheme://host[:port]`; `'*'` for any. Without it no cross-origin page may read the responses.
   */
  allowedOrigins?: string[];
  /** Most long-polls and SSE reads open at once in this process; beyond it `503` with `Retry-After`. @default unlimited */
  maxOpenReads?: number;
  /** Milliseconds a long-poll waits for data before `204`; also the keep-alive interval of SSE. @default 20000 */
  longPollTimeout?: number;
  /** Bytes of one catch-up response before it is cut (the client reads on from `Stream-Next-Offset`). @default 4194304 */
  readChunkBytes?: number;
  /**
   * Bytes of recently appended or read messages each process keeps in memory for catch-up reads
   * (committed messages never change, so the cache never serves stale bytes); 0 turns it off.
   * @default 67108864
   */
  readCacheBytes?: number;
  /** Largest append or PUT body in bytes; larger ones get `413`. @default 16777216 */
  maxAppendBytes?: number;
  /** Milliseconds after which an SSE response ends, so CDNs can collapse requests; clients resume. @default 60000 */
  sseMaxDuration?: number;
  /** Most appends written in one transaction (group commit). @default 256 */
  appendBatchSize?: number;
}
