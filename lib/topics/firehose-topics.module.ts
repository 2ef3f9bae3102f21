import { Module, type DynamicModule } from '@nestjs/common';
import type { FirehoseTopicsOptions } from './firehose-topics-options.interface.js';
import { resolveTopicsOptions } from './firehose-topics-options.js';
import { topicsProviders } from './firehose-topics.providers.js';
import { FirehoseTopicsService } from './firehose-topics.service.js';
import { createFirehoseTopicsController } from './http/create-firehose-topics-controller.js';

/**
 * Ephemeral topics beside `FirehoseModule` (which it needs, global as by default): fan-out over
 * LISTEN/NOTIFY with no storage and no replay, for data worthless a second later (cursors,
 * typing, progress). `FirehoseTopicsModule.forRoot({ authorizer })` serves
 * `POST`/`GET {path}/{topic}/events` and provides `FirehoseTopicsService` everywhere. Import it
 * once per app; it needs no table.
 *
 * @publicApi
 */
@Module({})
export class FirehoseTopicsModule {
  /** Options are plain values: the routes are created when the module graph is built. */
  static forRoot(options: FirehoseTopicsOptions = {}): DynamicModule {
    const resolved = resolveTopicsOptions(options);
    return {
      module: FirehoseTopicsModule,
      global: true,
      controllers: [createFirehoseTopicsController({ path: resolved.path, guards: resolved.guards })],
      providers: topicsProviders(resolved),
      exports: [FirehoseTopicsService],
    };
  }
}
