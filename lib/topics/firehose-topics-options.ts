import { TopicsConfigurationError } from './errors/topics-configuration.error.js';
import type { FirehoseTopicsOptions } from './firehose-topics-options.interface.js';
import {
  DEFAULT_TOPIC_HEARTBEAT_INTERVAL,
  DEFAULT_TOPIC_MAX_DATA_BYTES,
  DEFAULT_TOPIC_MAX_PENDING_BYTES,
  DEFAULT_TOPIC_RING_CAPACITY,
  DEFAULT_TOPIC_SHARDS,
  DEFAULT_TOPICS_PATH,
  MAX_TOPIC_SHARDS,
} from './topics.constants.js';

export type ResolvedTopicsOptions = Required<Omit<FirehoseTopicsOptions, 'authorizer'>> & Pick<FirehoseTopicsOptions, 'authorizer'>;

/** Applies the defaults of `FirehoseTopicsModule.forRoot` and checks the options when the module is imported. */
export function resolveTopicsOptions(given: FirehoseTopicsOptions): ResolvedTopicsOptions {
  const resolved: ResolvedTopicsOptions = {
    path: given.path ?? DEFAULT_TOPICS_PATH,
    authorizer: given.authorizer,
    guards: given.guards ?? [],
    shards: given.shards ?? DEFAULT_TOPIC_SHARDS,
    ringCapacity: given.ringCapacity ?? DEFAULT_TOPIC_RING_CAPACITY,
    heartbeatInterval: given.heartbeatInterval ?? DEFAULT_TOPIC_HEARTBEAT_INTERVAL,
    maxDataBytes: given.maxDataBytes ?? DEFAULT_TOPIC_MAX_DATA_BYTES,
    maxPendingBytes: given.maxPendingBytes ?? DEFAULT_TOPIC_MAX_PENDING_BYTES,
    sseCompression: given.sseCompression ?? false,
  };
  if (typeof resolved.path !== 'string' || !resolved.path.startsWith('/') || /[?#\s%:]/.test(resolved.path)) {
    throw new TopicsConfigurationError(`path ${JSON.stringify(given.path)} must be a URL path starting with "/", e.g. "/topics".`);
  }
  resolved.path = resolved.path.replace(/\/+$/, '');
  if (resolved.path === '')
    throw new TopicsConfigurationError('path must not be "/": topics need a base path of their own, e.g. "/topics".');
  if (!Array.isArray(resolved.guards) || resolved.guards.some((guard) => typeof guard !== 'function')) {
    throw new TopicsConfigurationError('guards must be an array of guard classes, e.g. [JwtAuthGuard].');
  }
  if (resolved.authorizer !== undefined && typeof resolved.authorizer !== 'function') {
    throw new TopicsConfigurationError('authorizer must be a class implementing FirehoseTopicsAuthorizer, e.g. AllowAllTopicsAuthorizer.');
  }
  for (const key of ['shards', 'ringCapacity', 'heartbeatInterval', 'maxDataBytes', 'maxPendingBytes'] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 1)
      throw new TopicsConfigurationError(`${key} must be a positive integer, got ${String(value)}.`);
  }
  if (resolved.shards > MAX_TOPIC_SHARDS) {
    throw new TopicsConfigurationError(`shards must be at most ${MAX_TOPIC_SHARDS}, got ${resolved.shards}.`);
  }
  if ((resolved.ringCapacity & (resolved.ringCapacity - 1)) !== 0) {
    throw new TopicsConfigurationError(`ringCapacity must be a power of two (e.g. 1024), got ${resolved.ringCapacity}.`);
  }
  if (resolved.maxDataBytes > DEFAULT_TOPIC_MAX_DATA_BYTES) {
    throw new TopicsConfigurationError(
      `maxDataBytes ${resolved.maxDataBytes} would not fit one NOTIFY with its topic id; use at most ${DEFAULT_TOPIC_MAX_DATA_BYTES}.`,
    );
  }
  if (typeof resolved.sseCompression !== 'boolean') {
    throw new TopicsConfigurationError(`sseCompression must be true or false, got ${JSON.stringify(resolved.sseCompression)}.`);
  }
  return resolved;
}
