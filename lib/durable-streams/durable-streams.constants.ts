/** Defaults of the `DurableStreamsModule.forRoot` options. */
export const DEFAULT_DURABLE_STREAMS_PATH = '/v1/stream';
/** How long a long-poll (or an idle SSE wait) lasts before it answers "nothing new". */
export const DEFAULT_LONG_POLL_TIMEOUT = 20_000;
/** Bytes of a catch-up response before it is cut and the client asked to read on. */
export const DEFAULT_READ_CHUNK_BYTES = 4 * 1024 * 1024;
/** Bytes of recent messages kept in memory per process to serve catch-up reads without a query. */
export const DEFAULT_READ_CACHE_BYTES = 64 * 1024 * 1024;
/** Largest append (or PUT body) accepted; larger ones get 413. */
export const DEFAULT_MAX_APPEND_BYTES = 16 * 1024 * 1024;
/** SSE responses end after this long so CDNs can collapse requests; clients reconnect from the last offset. */
export const DEFAULT_SSE_MAX_DURATION = 60_000;
/** Appends gathered into one call of the append function while the previous one is in flight. */
export const DEFAULT_APPEND_BATCH_SIZE = 256;
/** Longest stream path (its URL path, as sent): the streams table's unique key, far below PostgreSQL's btree limit. */
export const MAX_STREAM_PATH_LENGTH = 1024;
/** Longest `Producer-Id`, a key of the producers table. */
export const MAX_PRODUCER_ID_LENGTH = 1024;
/** Longest `Stream-TTL`, and how far ahead a `Stream-Expires-At` may lie: ten years, in seconds. */
export const MAX_STREAM_LIFETIME_SECONDS = 315_576_000;
/** Milliseconds between measurements of the bytes all streams hold, when `maxTotalBytes` is set. */
export const QUOTA_MEASURE_INTERVAL = 10_000;
/** Bytes of appends written in one group-commit transaction; an append this large or larger is written alone. */
export const DEFAULT_APPEND_BATCH_BYTES = 4 * 1024 * 1024;
/** Milliseconds between sweeps deleting expired streams nobody touched since they expired. */
export const EXPIRED_SWEEP_INTERVAL = 60_000;
/** Expired streams deleted per sweep, so one sweep stays short. */
export const EXPIRED_SWEEP_BATCH = 100;
/** Suffix of the Durable Streams NOTIFY channel, appended to the core's `notifyChannel`. */
export const DURABLE_STREAMS_CHANNEL_SUFFIX = '_ds';

/** Offsets are `<16 digits>_<16 digits>`: fixed width, so byte order is numeric order. */
export const OFFSET_PATTERN = /^(\d{1,16})_(\d{1,16})$/;
export const OFFSET_BEGINNING = '-1';
export const OFFSET_NOW = 'now';

/** Epoch and interval of the `Stream-Cursor` value (PROTOCOL.md §8.1). */
export const CURSOR_EPOCH_MS = Date.UTC(2024, 9, 9);
export const CURSOR_INTERVAL_SECONDS = 20;

/** Seconds a read refused for `maxOpenReads` is told to wait (`Retry-After`) before it asks again. */
export const OPEN_READS_RETRY_AFTER_SECONDS = 5;
/** Seconds a browser may keep a CORS preflight answer. */
export const CORS_PREFLIGHT_MAX_AGE = 600;

/** Request headers a browser may send cross-origin (when the preflight does not list its own). */
export const CORS_ALLOW_HEADERS = [
  'Content-Type',
  'Authorization',
  'If-None-Match',
  'Stream-Seq',
  'Stream-TTL',
  'Stream-Expires-At',
  'Stream-Closed',
  'Producer-Id',
  'Producer-Epoch',
  'Producer-Seq',
  'Stream-Forked-From',
  'Stream-Fork-Offset',
  'Stream-Fork-Sub-Offset',
].join(', ');
/** Response headers a browser script may read. */
export const CORS_EXPOSE_HEADERS = [
  'Stream-Next-Offset',
  'Stream-Cursor',
  'Stream-Up-To-Date',
  'Stream-Closed',
  'Stream-TTL',
  'Stream-Expires-At',
  'Stream-SSE-Data-Encoding',
  'Producer-Epoch',
  'Producer-Seq',
  'Producer-Expected-Seq',
  'Producer-Received-Seq',
  'ETag',
  'Content-Type',
  'Location',
].join(', ');
export const CORS_ALLOW_METHODS = 'GET, POST, PUT, DELETE, HEAD, OPTIONS';

/** Injection token of the app's `DurableStreamsAuthorizer` (the `authorizer` option), when one is configured. */
export const DURABLE_STREAMS_AUTHORIZER = Symbol('DURABLE_STREAMS_AUTHORIZER');
/** Injection token of the Durable Streams database handle (pool, tables, channel), ready once its migrations ran. */
export const DURABLE_STREAMS_DATABASE = Symbol('DURABLE_STREAMS_DATABASE');
