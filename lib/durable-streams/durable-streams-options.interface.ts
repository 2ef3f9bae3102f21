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
  /**
   * Bytes of appends written in one group-commit transaction: a batch stops growing there, and an
   * append this large or larger is written on its own, beside the batches of small ones.
   * @default 4194304
   */
  appendBatchBytes?: number;
  /** Most bytes one stream may hold (its own, not its fork source's); an append past it gets `413`. Unset: no limit. */
  maxStreamBytes?: number;
  /**
   * Most bytes all streams together may hold; an append or PUT body past it gets `507`. Measured
   * every 10 s by each process, plus what it appended since, so it may overshoot by what other
   * processes append within 10 s. Unset: no limit.
   */
  maxTotalBytes?: number;
  /** Most appends (POSTs) a second to one stream, per process, after a burst of as many; beyond it `429` with `Retry-After`. Unset: no limit. */
  maxAppendsPerSecond?: number;
  /** Milliseconds after which an SSE response ends, so CDNs can collapse requests; clients resume. @default 60000 */
  sseMaxDuration?: number;
  /** Most appends written in one transaction (group commit). @default 256 */
  appendBatchSize?: number;
}
