/**
 * Options of `DurableStreamsModule.forRoot`: serve the Durable Streams HTTP protocol from
 * PostgreSQL. Plain values, because the route is mounted when the module graph is built.
 */
export interface DurableStreamsOptions {
  /** Base path; each stream is a URL below it (`{path}/{name...}`). @default '/v1/stream' */
  path?: string;
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
