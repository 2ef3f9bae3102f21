import {
  NOTIFY_CHANNEL_PATTERN,
  DEFAULT_BATCH_SIZE,
  DEFAULT_NOTIFY_CHANNEL,
  DEFAULT_CLEANUP_INTERVAL,
  DEFAULT_CLEANUP_THRESHOLD,
  DEFAULT_HEARTBEAT_INTERVAL,
  DEFAULT_HEARTBEAT_TIMEOUT,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_NOTIFY_MAX_BYTES,
  DEFAULT_QUEUE_BUFFER_SIZE,
  DEFAULT_RECONNECT_ATTEMPTS,
  DEFAULT_RECONNECT_DELAY,
  DEFAULT_REPLAY_BATCH_SIZE,
  DEFAULT_MAX_STREAMS_PER_CONNECTION,
  DEFAULT_SSE_HEARTBEAT_INTERVAL,
  DEFAULT_SSE_RETRY,
  DEFAULT_PATH,
  DEFAULT_SSE_MAX_PENDING_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_WS_HEARTBEAT_INTERVAL,
  DEFAULT_WS_MAX_BUFFERED_BYTES,
} from './firehose.constants.js';
import { FirehoseConfigurationError } from './errors/firehose-configuration.error.js';
import type { FirehoseModuleExtras, FirehoseModuleOptions } from './interfaces/firehose-module-options.interface.js';

export type ResolvedFirehoseOptions = Required<Omit<FirehoseModuleOptions, 'databaseUrl'>> & Pick<FirehoseModuleOptions, 'databaseUrl'>;

/** Applies the defaults and rejects values that would fail later in a less obvious place. */
export function resolveFirehoseOptions(options: FirehoseModuleOptions = {}): ResolvedFirehoseOptions {
  const resolved: ResolvedFirehoseOptions = {
    databaseUrl: options.databaseUrl,
    notifyChannel: options.notifyChannel ?? DEFAULT_NOTIFY_CHANNEL,
    cleanupThreshold: options.cleanupThreshold ?? DEFAULT_CLEANUP_THRESHOLD,
    cleanupInterval: options.cleanupInterval ?? DEFAULT_CLEANUP_INTERVAL,
    reconnectAttempts: options.reconnectAttempts ?? DEFAULT_RECONNECT_ATTEMPTS,
    reconnectDelay: options.reconnectDelay ?? DEFAULT_RECONNECT_DELAY,
    notifyMaxBytes: options.notifyMaxBytes ?? DEFAULT_NOTIFY_MAX_BYTES,
    maxPayloadBytes: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    replayBatchSize: options.replayBatchSize ?? DEFAULT_REPLAY_BATCH_SIZE,
    heartbeatInterval: options.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL,
    heartbeatTimeout: options.heartbeatTimeout ?? DEFAULT_HEARTBEAT_TIMEOUT,
    migrationsRun: options.migrationsRun ?? false,
    queueBufferSize: options.queueBufferSize ?? DEFAULT_QUEUE_BUFFER_SIZE,
    sseHeartbeatInterval: options.sseHeartbeatInterval ?? DEFAULT_SSE_HEARTBEAT_INTERVAL,
    sseRetry: options.sseRetry ?? DEFAULT_SSE_RETRY,
    sseMaxPendingBytes: options.sseMaxPendingBytes ?? DEFAULT_SSE_MAX_PENDING_BYTES,
    maxStreamsPerConnection: options.maxStreamsPerConnection ?? DEFAULT_MAX_STREAMS_PER_CONNECTION,
    wsMaxBufferedBytes: options.wsMaxBufferedBytes ?? DEFAULT_WS_MAX_BUFFERED_BYTES,
    wsHeartbeatInterval: options.wsHeartbeatInterval ?? DEFAULT_WS_HEARTBEAT_INTERVAL,
    maxConnections: options.maxConnections ?? Number.POSITIVE_INFINITY,
    sseCompression: options.sseCompression ?? false,
  };
  if (!NOTIFY_CHANNEL_PATTERN.test(resolved.notifyChannel)) {
    throw new FirehoseConfigurationError(
      `notifyChannel "${resolved.notifyChannel}" is not a lower-case SQL identifier of at most 51 characters; use letters, digits and underscores, e.g. "firehose".`,
    );
  }
  const positive: (keyof ResolvedFirehoseOptions)[] = [
    'cleanupThreshold',
    'cleanupInterval',
    'reconnectAttempts',
    'reconnectDelay',
    'notifyMaxBytes',
    'maxPayloadBytes',
    'batchSize',
    'replayBatchSize',
    'heartbeatInterval',
    'heartbeatTimeout',
    'queueBufferSize',
    'sseHeartbeatInterval',
    'sseRetry',
    'sseMaxPendingBytes',
    'maxStreamsPerConnection',
    'wsMaxBufferedBytes',
    'wsHeartbeatInterval',
  ];
  for (const key of positive) {
    const value = resolved[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new FirehoseConfigurationError(`${key} must be a positive integer, got ${String(value)}.`);
    }
  }
  if (
    resolved.maxConnections !== Number.POSITIVE_INFINITY &&
    !(Number.isInteger(resolved.maxConnections) && resolved.maxConnections >= 1)
  ) {
    throw new FirehoseConfigurationError(
      `maxConnections must be a positive integer (or unset for no cap), got ${String(resolved.maxConnections)}.`,
    );
  }
  if (typeof resolved.sseCompression !== 'boolean') {
    throw new FirehoseConfigurationError(`sseCompression must be true or false, got ${JSON.stringify(resolved.sseCompression)}.`);
  }
  if (resolved.notifyMaxBytes > DEFAULT_NOTIFY_MAX_BYTES) {
    throw new FirehoseConfigurationError(
      `notifyMaxBytes ${resolved.notifyMaxBytes} exceeds PostgreSQL's NOTIFY limit; use at most ${DEFAULT_NOTIFY_MAX_BYTES}.`,
    );
  }
  return resolved;
}

export type ResolvedFirehoseExtras = Required<Pick<FirehoseModuleExtras, 'path' | 'guards' | 'maxFrameBytes' | 'serveClient'>> &
  Pick<FirehoseModuleExtras, 'authorizer' | 'allowedOrigins'>;

/** Checks the extras when `forRoot` / `forRootAsync` is called, so a typo fails at import, not at the first request. */
export function validateFirehoseExtras(extras: FirehoseModuleExtras): ResolvedFirehoseExtras {
  const path = extras.path ?? DEFAULT_PATH;
  if (typeof path !== 'string' || !path.startsWith('/') || /[?#\s]/.test(path)) {
    throw new FirehoseConfigurationError(`path ${JSON.stringify(path)} must be a URL path starting with "/", e.g. "/firehose".`);
  }
  const guards = extras.guards ?? [];
  if (!Array.isArray(guards) || guards.some((guard) => typeof guard !== 'function')) {
    throw new FirehoseConfigurationError('guards must be an array of guard classes, e.g. [JwtAuthGuard].');
  }
  if (extras.authorizer !== undefined && typeof extras.authorizer !== 'function') {
    throw new FirehoseConfigurationError('authorizer must be a class implementing FirehoseAuthorizer, e.g. AllowAllStreamsAuthorizer.');
  }
  const maxFrameBytes = extras.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1) {
    throw new FirehoseConfigurationError(`maxFrameBytes must be a positive integer, got ${String(maxFrameBytes)}.`);
  }
  const { allowedOrigins } = extras;
  if (allowedOrigins !== undefined && (!Array.isArray(allowedOrigins) || allowedOrigins.some((origin) => typeof origin !== 'string'))) {
    throw new FirehoseConfigurationError('allowedOrigins must be an array of origins, e.g. ["https://app.example.com"].');
  }
  if (extras.serveClient !== undefined && typeof extras.serveClient !== 'boolean') {
    throw new FirehoseConfigurationError(`serveClient must be true or false, got ${JSON.stringify(extras.serveClient)}.`);
  }
  return { path, guards, maxFrameBytes, allowedOrigins, authorizer: extras.authorizer, serveClient: extras.serveClient ?? true };
}
