import type { CanActivate, Type } from '@nestjs/common';
import { DEFAULT_STATS_STREAM_LIMIT } from '../firehose.constants.js';
import { OperationsConfigurationError } from './errors/operations-configuration.error.js';
import type { FirehoseOperationsOptions } from './firehose-operations-options.interface.js';
import {
  DEFAULT_OPERATIONS_PATH,
  DEFAULT_QUEUE_WARN_THRESHOLD,
  DEFAULT_QUEUE_WATCH_INTERVAL,
  DEFAULT_SHUTDOWN_TIMEOUT,
} from './operations.constants.js';

export interface ResolvedOperationsOptions {
  path: string | false;
  guards: Type<CanActivate>[];
  queueWatchInterval: number;
  queueWarnThreshold: number;
  /** Undefined: on when `@opentelemetry/api` can be loaded. */
  metrics: boolean | undefined;
  streamLimit: number;
  shutdownTimeout: number;
}

/** Applies the defaults and checks every option when the module is imported, so a typo fails the boot. */
export function resolveOperationsOptions(given: FirehoseOperationsOptions): ResolvedOperationsOptions {
  const resolved: ResolvedOperationsOptions = {
    path: given.path === false ? false : (given.path ?? DEFAULT_OPERATIONS_PATH),
    guards: given.guards ?? [],
    queueWatchInterval: given.queueWatchInterval ?? DEFAULT_QUEUE_WATCH_INTERVAL,
    queueWarnThreshold: given.queueWarnThreshold ?? DEFAULT_QUEUE_WARN_THRESHOLD,
    metrics: given.metrics,
    streamLimit: given.streamLimit ?? DEFAULT_STATS_STREAM_LIMIT,
    shutdownTimeout: given.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT,
  };
  const { path } = resolved;
  if (path !== false && (typeof path !== 'string' || !path.startsWith('/') || /[?#\s%:*]/.test(path))) {
    throw new OperationsConfigurationError(`path ${JSON.stringify(path)} must be a URL path starting with "/", e.g. "/healthz", or false.`);
  }
  if (!Array.isArray(resolved.guards) || resolved.guards.some((guard) => typeof guard !== 'function')) {
    throw new OperationsConfigurationError('guards must be an array of guard classes.');
  }
  for (const key of ['queueWatchInterval', 'shutdownTimeout', 'streamLimit'] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 0) {
      throw new OperationsConfigurationError(`${key} must be a non-negative integer, got ${String(value)}.`);
    }
  }
  const threshold = resolved.queueWarnThreshold;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold < 1)) {
    throw new OperationsConfigurationError(
      `queueWarnThreshold must be a fraction between 0 and 1 (0.5 is half full), got ${String(threshold)}.`,
    );
  }
  if (resolved.metrics !== undefined && typeof resolved.metrics !== 'boolean') {
    throw new OperationsConfigurationError(`metrics must be true or false, got ${String(resolved.metrics)}.`);
  }
  return resolved;
}
