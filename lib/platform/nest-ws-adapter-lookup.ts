// Contract: when @nestjs/websockets connects an app's first gateway, it asks ApplicationConfig.getIoAdapter() first; with no adapter it loads @nestjs/platform-socket.io, and if that is not installed it logs and calls process.exit(1) (verified with @nestjs/core 12.5.1, @nestjs/websockets 12.1.1; peer ranges ^12.0).
import type { ApplicationConfig } from '@nestjs/core';

/**
 * Runs `check` on the adapter at that first lookup, before Nest can fall back to socket.io (or exit
 * the process): an error thrown by `check` rejects `app.init()`. Later lookups (the app's shutdown
 * among them) see Nest's own method again.
 */
export function checkAdapterAtFirstLookup(config: ApplicationConfig, check: (adapter: unknown) => void): void {
  const own = Object.hasOwn(config, 'getIoAdapter');
  const original = config.getIoAdapter;
  config.getIoAdapter = function firstLookup(this: ApplicationConfig) {
    if (own) config.getIoAdapter = original;
    else delete (config as Partial<ApplicationConfig>).getIoAdapter;
    const adapter = original.call(this);
    check(adapter);
    return adapter;
  } as ApplicationConfig['getIoAdapter'];
}
