import {
  DEFAULT_APPEND_BATCH_BYTES,
  DEFAULT_APPEND_BATCH_SIZE,
  DEFAULT_DURABLE_STREAMS_PATH,
  DEFAULT_LONG_POLL_TIMEOUT,
  DEFAULT_MAX_APPEND_BYTES,
  DEFAULT_READ_CACHE_BYTES,
  DEFAULT_READ_CHUNK_BYTES,
  DEFAULT_SSE_MAX_DURATION,
} from './durable-streams.constants.js';
import type { DurableStreamsOptions } from './durable-streams-options.interface.js';
import { DurableStreamsConfigurationError } from './errors/durable-streams-configuration.error.js';

/** Options whose absence means "no limit". */
type UnlimitedByDefault = 'maxStreamBytes' | 'maxTotalBytes' | 'maxAppendsPerSecond';

export type ResolvedDurableStreamsOptions = Required<Omit<DurableStreamsOptions, UnlimitedByDefault>> & {
  [K in UnlimitedByDefault]: number | null;
};

/** Applies the defaults of `DurableStreamsModule.forRoot` options and checks them when the module is imported. */
export function resolveDurableStreamsOptions(given: DurableStreamsOptions): ResolvedDurableStreamsOptions {
  const resolved: ResolvedDurableStreamsOptions = {
    path: (given.path ?? DEFAULT_DURABLE_STREAMS_PATH).replace(/\/+$/, ''),
    longPollTimeout: given.longPollTimeout ?? DEFAULT_LONG_POLL_TIMEOUT,
    readChunkBytes: given.readChunkBytes ?? DEFAULT_READ_CHUNK_BYTES,
    readCacheBytes: given.readCacheBytes ?? DEFAULT_READ_CACHE_BYTES,
    maxAppendBytes: given.maxAppendBytes ?? DEFAULT_MAX_APPEND_BYTES,
    appendBatchBytes: given.appendBatchBytes ?? DEFAULT_APPEND_BATCH_BYTES,
    maxStreamBytes: given.maxStreamBytes ?? null,
    maxTotalBytes: given.maxTotalBytes ?? null,
    maxAppendsPerSecond: given.maxAppendsPerSecond ?? null,
    sseMaxDuration: given.sseMaxDuration ?? DEFAULT_SSE_MAX_DURATION,
    appendBatchSize: given.appendBatchSize ?? DEFAULT_APPEND_BATCH_SIZE,
  };
  if (typeof given.path === 'string' && given.path.replace(/\/+$/, '') === '') {
    throw new DurableStreamsConfigurationError('path must not be "/": streams need a base path of their own, e.g. "/v1/stream".');
  }
  if (typeof resolved.path !== 'string' || !resolved.path.startsWith('/') || /[?#\s%]/.test(resolved.path)) {
    throw new DurableStreamsConfigurationError(
      `path ${JSON.stringify(given.path)} must be a URL path starting with "/", e.g. "/v1/stream".`,
    );
  }
  for (const key of [
    'longPollTimeout',
    'readChunkBytes',
    'maxAppendBytes',
    'appendBatchBytes',
    'sseMaxDuration',
    'appendBatchSize',
  ] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 1) {
      throw new DurableStreamsConfigurationError(`${key} must be a positive integer, got ${String(value)}.`);
    }
  }
  for (const key of ['maxStreamBytes', 'maxTotalBytes', 'maxAppendsPerSecond'] as const) {
    const value = resolved[key];
    if (value !== null && (!Number.isSafeInteger(value) || value < 1)) {
      throw new DurableStreamsConfigurationError(`${key} must be a positive integer (or left out for no limit), got ${String(value)}.`);
    }
  }
  if (!Number.isInteger(resolved.readCacheBytes) || resolved.readCacheBytes < 0) {
    throw new DurableStreamsConfigurationError(`readCacheBytes must be a non-negative integer, got ${String(resolved.readCacheBytes)}.`);
  }
  return resolved;
}
