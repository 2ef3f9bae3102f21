/** Defaults of the `FirehoseTopicsModule.forRoot` options. */
export const DEFAULT_TOPICS_PATH = '/topics';
/** Channels the topics are spread over by hash, so one hot topic's sends do not hold up the others'. */
export const DEFAULT_TOPIC_SHARDS = 8;
/** Messages a topic holds for its subscribers between a notification and the fan-out (a power of two). */
export const DEFAULT_TOPIC_RING_CAPACITY = 1024;
/** Below the 30–60 s idle timeouts of common proxies and load balancers. */
export const DEFAULT_TOPIC_HEARTBEAT_INTERVAL = 15_000;
/**
 * Bytes of compact JSON one message may carry. A message travels inside one NOTIFY, which
 * PostgreSQL caps below 8000 bytes, together with its signature (22), its header (at most 29,
 * TOPIC_NOTIFICATION_OVERHEAD) and its topic id (at most 64).
 */
export const DEFAULT_TOPIC_MAX_DATA_BYTES = 7850;
/** A burst of about a hundred full-size messages behind a briefly slow reader, no more. */
export const DEFAULT_TOPIC_MAX_PENDING_BYTES = 1024 * 1024;
/** Most shards: channel names stay short identifiers, and each is one LISTEN of the process's connection. */
export const MAX_TOPIC_SHARDS = 256;
/** Most messages the process sends in one statement, over all shards, while the previous one is in flight. */
export const TOPIC_SEND_BATCH_SIZE = 256;
/** Infix of the shard channels: `{notifyChannel}_topic_{i}`. */
export const TOPIC_CHANNEL_INFIX = '_topic_';

/** Injection token of the resolved topics options. */
export const FIREHOSE_TOPICS_OPTIONS = Symbol('FIREHOSE_TOPICS_OPTIONS');
/** Injection token of the app's `FirehoseTopicsAuthorizer`, when one is configured. */
export const FIREHOSE_TOPICS_AUTHORIZER = Symbol('FIREHOSE_TOPICS_AUTHORIZER');
