import type { CanActivate, Type } from '@nestjs/common';
import type { FirehoseAuthorizer } from './firehose-authorizer.interface.js';

/**
 * Runtime options of `FirehoseModule.forRoot()` / `forRootAsync()`. Every one is optional; the
 * defaults are the Firehose protocol's.
 */
export interface FirehoseModuleOptions {
  /**
   * Connection string of the dedicated LISTEN connection. Point it at PostgreSQL directly, not at a
   * transaction-mode pooler. When omitted it is built from the app's TypeORM DataSource options.
   */
  databaseUrl?: string;
  /** NOTIFY channel the module listens on; a lower-case identifier. @default 'firehose' */
  notifyChannel?: string;
  /** Messages kept per stream; older ones are deleted off the broadcast path. @default 100 */
  cleanupThreshold?: number;
  /** Milliseconds between cleanup passes over the streams written since the last pass. @default 1000 */
  cleanupInterval?: number;
  /** Failed reconnects after which the listener reports unhealthy (it keeps retrying). @default 5 */
  reconnectAttempts?: number;
  /** First reconnect delay in milliseconds; doubles per attempt, with jitter. @default 1000 */
  reconnectDelay?: number;
  /** Largest NOTIFY payload in UTF-8 bytes; larger events travel by id. @default 7999 */
  notifyMaxBytes?: number;
  /** Largest accepted event `data`, in UTF-8 bytes of its JSON. @default 1048576 */
  maxPayloadBytes?: number;
  /** Most broadcasts written in one group-commit transaction. @default 500 */
  batchSize?: number;
  /** Rows read per query while replaying or catching up. @default 1000 */
  replayBatchSize?: number;
  /** Milliseconds between listener heartbeats. @default 10000 */
  heartbeatInterval?: number;
  /** Milliseconds a heartbeat may take before the connection is replaced. @default 5000 */
  heartbeatTimeout?: number;
  /** Apply the module's migrations at boot (tracked in the `firehose_migrations` table). @default false */
  migrationsRun?: boolean;
  /** Messages an open queue handle holds before it drops the oldest. @default 10000 */
  queueBufferSize?: number;
  /** Milliseconds between comment heartbeats on an SSE connection (keeps proxies from closing it). @default 15000 */
  sseHeartbeatInterval?: number;
  /** Reconnect delay, in milliseconds, that SSE clients are told to use (the `retry:` field). @default 3000 */
  sseRetry?: number;
  /**
   * Bytes of event frames that may wait for an SSE client that is not reading before its response
   * is ended; it then resumes with `Last-Event-ID` and loses nothing. @default 4194304
   */
  sseMaxPendingBytes?: number;
  /** Most streams one connection may ask for; a request for more is refused (SSE: 400, WebSocket: error frame). @default 100 */
  maxStreamsPerConnection?: number;
  /**
   * Bytes that may wait in a WebSocket's send buffer (`bufferedAmount`) before the connection is
   * closed with code 4008; the client resumes with `last_event_id` and loses nothing. @default 1048576
   */
  wsMaxBufferedBytes?: number;
  /** Milliseconds between WebSocket pings; a peer that has not answered the previous one is terminated. @default 30000 */
  wsHeartbeatInterval?: number;
  /**
   * Most WebSocket and SSE connections this process holds at once; beyond it a new one is refused
   * with `503` and `Retry-After`, before any guard or authorizer runs, so a flood costs little and
   * clients retry elsewhere. @default unlimited
   */
  maxConnections?: number;
  /**
   * Compress SSE responses with gzip for clients that send `Accept-Encoding: gzip`, flushed per
   * write so events leave as soon as they would uncompressed. Costs CPU and some memory per
   * connection (each has its own compressor, so bytes are no longer shared between connections);
   * saves bandwidth on verbose events. @default false
   */
  sseCompression?: boolean;
}

/**
 * Options that shape the module graph (routes, providers, guards), so they are plain values known
 * when `forRoot` / `forRootAsync` is called, never the result of the async factory.
 */
export interface FirehoseModuleExtras {
  /** Register the module globally so FirehoseService can be injected anywhere. @default true */
  isGlobal?: boolean;
  /** Name of the TypeORM DataSource to store events in (as given to TypeOrmModule). */
  dataSource?: string;
  /** Base path of the transports: the WebSocket endpoint, with Server-Sent Events at `${path}/sse`. @default '/firehose' */
  path?: string;
  /**
   * Class deciding which streams a connection may receive. It becomes a provider of the module, so
   * it can inject services visible there (global modules, or `imports` of `forRootAsync`).
   * Without it every stream is refused (403).
   */
  authorizer?: Type<FirehoseAuthorizer>;
  /**
   * The app's own guards (JWT, session…), run in order before the authorizer on every connection
   * (for WebSocket, on the upgrade request, so a refused client never gets a socket). They are
   * instantiated inside the module like the authorizer. A guard that returns false gets 403.
   */
  guards?: Type<CanActivate>[];
  /**
   * Largest frame, in bytes, a WebSocket client may send; above it the connection is closed with
   * code 1009. An extra because `ws` takes it when the gateway's server is created. @default 65536
   */
  maxFrameBytes?: number;
  /**
   * Origins (`https://app.example.com`) allowed to open a WebSocket besides the app's own (an
   * Origin whose host is the request's Host); any other gets 403 at the upgrade, since browsers
   * send cookies cross-site with a WebSocket upgrade. Requests without an Origin (not from a
   * browser page) proceed to the guards. Also the origins that may load the browser client
   * script across origins; without it, any may.
   */
  allowedOrigins?: string[];
  /**
   * Serve the browser client at `GET {path}/client.js` (and its modules under `{path}/client/`).
   * Turn it off when the page bundles `nestjs-firehose/client` itself. @default true
   */
  serveClient?: boolean;
}

/** A class given to `forRootAsync({ useClass })` / `useExisting` that builds the module's options. */
export interface FirehoseOptionsFactory {
  /** Called once while the app boots. */
  createFirehoseOptions(): Promise<FirehoseModuleOptions> | FirehoseModuleOptions;
}
