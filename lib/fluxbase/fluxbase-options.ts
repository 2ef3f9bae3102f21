import type { CanActivate, Type } from '@nestjs/common';
import { DEFAULT_MAX_FRAME_BYTES } from '../firehose.constants.js';
import { DEFAULT_FLUXBASE_HEARTBEAT_INTERVAL, DEFAULT_FLUXBASE_PATH, DEFAULT_FLUXBASE_STATS_PATH } from './fluxbase.constants.js';
import { FluxbaseConfigurationError } from './fluxbase-configuration.error.js';
import type { FirehoseFluxbaseOptions } from './fluxbase-options.interface.js';

export interface ResolvedFluxbaseOptions {
  path: string;
  statsPath: string;
  heartbeatInterval: number;
  guards: Type<CanActivate>[];
  allowedOrigins: string[] | undefined;
  /** Client frames are small commands: the Firehose protocol's limit serves here too. */
  maxFrameBytes: number;
}

/** Applies the defaults and checks the options when the module is imported, not at the first request. */
export function resolveFluxbaseOptions(given: FirehoseFluxbaseOptions): ResolvedFluxbaseOptions {
  const path = routePath('path', given.path ?? DEFAULT_FLUXBASE_PATH, DEFAULT_FLUXBASE_PATH);
  const statsPath = routePath('statsPath', given.statsPath ?? DEFAULT_FLUXBASE_STATS_PATH, DEFAULT_FLUXBASE_STATS_PATH);
  const heartbeatInterval = given.heartbeatInterval ?? DEFAULT_FLUXBASE_HEARTBEAT_INTERVAL;
  if (!Number.isInteger(heartbeatInterval) || heartbeatInterval < 1) {
    throw new FluxbaseConfigurationError(`heartbeatInterval must be a positive integer (milliseconds), got ${String(heartbeatInterval)}.`);
  }
  const guards = given.guards ?? [];
  if (!Array.isArray(guards) || guards.some((guard) => typeof guard !== 'function')) {
    throw new FluxbaseConfigurationError('guards must be an array of guard classes, e.g. [JwtQueryGuard].');
  }
  const { allowedOrigins } = given;
  if (allowedOrigins !== undefined && (!Array.isArray(allowedOrigins) || allowedOrigins.some((origin) => typeof origin !== 'string'))) {
    throw new FluxbaseConfigurationError('allowedOrigins must be an array of origins, e.g. ["http://localhost:3000"].');
  }
  return { path, statsPath, heartbeatInterval, guards, allowedOrigins, maxFrameBytes: DEFAULT_MAX_FRAME_BYTES };
}

function routePath(option: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || /[?#\s]/.test(value) || value.replace(/\/+$/, '') === '') {
    throw new FluxbaseConfigurationError(`${option} ${JSON.stringify(value)} must be a URL path starting with "/", e.g. "${example}".`);
  }
  return value.replace(/\/+$/, '');
}
