import type { CanActivate, Type } from '@nestjs/common';
import type { FirehoseTopicsAuthorizer } from './firehose-topics-authorizer.interface.js';

/**
 * Options of `FirehoseTopicsModule.forRoot`: ephemeral topics over LISTEN/NOTIFY. Plain values,
 * because the routes are created when the module graph is built.
 *
 * @publicApi
 */
export interface FirehoseTopicsOptions {
  /** Base path: `POST` and `GET {path}/{topic}/events`. @default '/topics' */
  path?: string;
  /**
   * Class deciding who may publish to and subscribe to which topic. It becomes a provider of the
   * module, so it can inject the app's services. Without it every request is refused (403).
   */
  authorizer?: Type<FirehoseTopicsAuthorizer>;
  /** The app's own guards (JWT, session…), run in order before the authorizer on both routes. */
  guards?: Type<CanActivate>[];
  /**
   * NOTIFY channels the topics are spread over by a hash of their id, named
   * `{notifyChannel}_topic_{i}`; each sends in order on its own, so a hot topic does not hold up
   * the others. Every instance of the app must use the same number. @default 8
   */
  shards?: number;
  /**
   * Messages each topic holds for its subscribers in this process between their notification and
   * the fan-out; in a burst larger than this the oldest are dropped (and counted). A power of two.
   * @default 1024
   */
  ringCapacity?: number;
  /** Milliseconds between `: heartbeat` comments on a subscriber's stream. @default 15000 */
  heartbeatInterval?: number;
  /** Largest message `data`, in UTF-8 bytes of its compact JSON; larger ones get 413. At most 7850. @default 7850 */
  maxDataBytes?: number;
  /**
   * Bytes that may wait for a subscriber that is not reading before its response is ended (it
   * reconnects, missing what was sent meanwhile). @default 1048576
   */
  maxPendingBytes?: number;
  /**
   * Compress subscribers' streams with gzip when they send `Accept-Encoding: gzip`, flushed per
   * write so messages leave as soon as they would uncompressed. @default false
   */
  sseCompression?: boolean;
}
