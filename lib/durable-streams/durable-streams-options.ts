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

/** Options with no default: absent means no authorizer (deny), no CORS, no cap on open reads. */
type OptionalOptions = 'authorizer' | 'allowedOrigins' | 'maxOpenReads';

export type ResolvedDurableStreamsOptions = Required<Omit<DurableStreamsOptions, UnlimitedByDefault | OptionalOptions>> &
  Pick<DurableStreamsOptions, OptionalOptions> & {
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
    authorizer: given.authorizer,
    guards: given.guards ?? [],
    imports: given.imports ?? [],
    allowedOrigins: given.allowedOrigins,
    maxOpenReads: given.maxOpenReads,
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
  checkAccessOptions(resolved);
  return resolved;
}

function checkAccessOptions(resolved: ResolvedDurableStreamsOptions): void {
  if (!Array.isArray(resolved.guards) || resolved.guards.some((guard) => typeof guard !== 'function')) {
    throw new DurableStreamsConfigurationError('guards must be an array of guard classes, e.g. [JwtAuthGuard].');
  }
  if (!Array.isArray(resolved.imports)) {
    throw new DurableStreamsConfigurationError('imports must be an array of modules, e.g. [AuthModule].');
  }
  if (resolved.authorizer !== undefined && typeof resolved.authorizer !== 'function') {
    throw new DurableStreamsConfigurationError(
      'authorizer must be a class implementing DurableStreamsAuthorizer, e.g. AllowAllDurableStreamsAuthorizer.',
    );
  }
  const origins = resolved.allowedOrigins;
  if (origins !== undefined) {
    const bad = Array.isArray(origins) ? origins.find((origin) => !isOrigin(origin)) : origins;
    if (bad !== undefined) {
      throw new DurableStreamsConfigurationError(
        `allowedOrigins must list origins as scheme://host[:port] (or '*'), e.g. ["https://app.example.com"]; got ${JSON.stringify(bad)}.`,
      );
    }
  }
  const max = resolved.maxOpenReads;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    throw new DurableStreamsConfigurationError(`maxOpenReads must be a positive integer (or left out for no limit), got ${String(max)}.`);
  }
}

/** `'*'`, or an origin exactly as a browser sends it in `Origin` (no path, no trailing slash). */
function isOrigin(value: unknown): boolean {
  if (value === '*') return true;
  if (typeof value !== 'string') return false;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}
