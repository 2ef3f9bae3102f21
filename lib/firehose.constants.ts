/** Injection token of the resolved {@link FirehoseModuleOptions}. */
export const FIREHOSE_MODULE_OPTIONS = Symbol('FIREHOSE_MODULE_OPTIONS');
/** Injection token of the options with every default applied (internal). */
export const FIREHOSE_RESOLVED_OPTIONS = Symbol('FIREHOSE_RESOLVED_OPTIONS');
/** Injection token of the app's TypeORM DataSource as the module sees it. */
export const FIREHOSE_DATA_SOURCE = Symbol('FIREHOSE_DATA_SOURCE');
/** Injection token of the app's `FirehoseAuthorizer` (the `authorizer` extra), when one is configured. */
export const FIREHOSE_AUTHORIZER = Symbol('FIREHOSE_AUTHORIZER');
/** Injection token of the WebSocket gateway's upgrade checks (the `guards` and `allowedOrigins` extras). */
export const FIREHOSE_GATEWAY_OPTIONS = Symbol('FIREHOSE_GATEWAY_OPTIONS');
/** Metadata key under which `@OnFirehose` stores its streams. */
export const ON_FIREHOSE_METADATA = 'firehose:on_firehose';

export const DEFAULT_NOTIFY_CHANNEL = 'firehose';
export const DEFAULT_CLEANUP_THRESHOLD = 100;
export const DEFAULT_CLEANUP_INTERVAL = 1000;
export const DEFAULT_RECONNECT_ATTEMPTS = 5;
export const DEFAULT_RECONNECT_DELAY = 1000;
/** NOTIFY payloads must be shorter than 8000 bytes in a default PostgreSQL build. */
export const DEFAULT_NOTIFY_MAX_BYTES = 7999;
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
export const DEFAULT_BATCH_SIZE = 500;
export const DEFAULT_REPLAY_BATCH_SIZE = 1000;
export const DEFAULT_HEARTBEAT_INTERVAL = 10_000;
export const DEFAULT_HEARTBEAT_TIMEOUT = 5_000;
export const DEFAULT_QUEUE_BUFFER_SIZE = 10_000;
export const DEFAULT_PATH = '/firehose';
/** Below the 30–60 s idle timeouts of common proxies and load balancers. */
export const DEFAULT_SSE_HEARTBEAT_INTERVAL = 15_000;
export const DEFAULT_SSE_RETRY = 3_000;
export const DEFAULT_MAX_STREAMS_PER_CONNECTION = 100;
/** Nest's own default for `@Sse()`: room for a few maximum-size events behind a briefly slow reader. */
export const DEFAULT_SSE_MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** The Firehose protocol's frame limit: client frames are small commands, never data. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
/** A few maximum-size events (1 MiB each by default) behind a briefly slow reader, no more. */
export const DEFAULT_WS_MAX_BUFFERED_BYTES = 1024 * 1024;
/** Below the 60 s idle timeouts of common proxies and load balancers, with room for one lost pong. */
export const DEFAULT_WS_HEARTBEAT_INTERVAL = 30_000;
/** Streams listed one by one in `stats()`, the busiest first; the totals count them all. */
export const DEFAULT_STATS_STREAM_LIMIT = 100;

/** Channel names become SQL identifiers in LISTEN, so only plain lower-case identifiers are allowed. */
export const NOTIFY_CHANNEL_PATTERN = /^[a-z_][a-z0-9_]{0,50}$/;
/** Suffix of the channel that carries queue messages beside the event channel. */
export const QUEUE_CHANNEL_SUFFIX = '_queue';
/**
 * Key of the transaction-level advisory lock every append takes before ids are assigned.
 * Holding it to commit makes the global `id` commit-ordered, so it is a safe cursor across streams.
 */
export const APPEND_LOCK_KEY = 7_236_351_991;
/** Session advisory lock that serializes concurrent boots applying the module's migrations. */
export const MIGRATION_LOCK_KEY = 7_236_351_990;
