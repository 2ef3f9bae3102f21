import { Module, type DynamicModule } from '@nestjs/common';
import { FirehoseChangeFeedModule } from '../change-feed/firehose-change-feed.module.js';
import { createFluxbaseStatsController } from './create-fluxbase-stats-controller.js';
import type { FirehoseFluxbaseOptions } from './fluxbase-options.interface.js';
import { resolveFluxbaseOptions } from './fluxbase-options.js';
import { fluxbaseProviders } from './fluxbase.providers.js';

/**
 * Fluxbase's realtime WebSocket protocol (`ws://host/realtime?token=…`, `subscribe` a channel,
 * `broadcast` frames, heartbeats) and its stats route, beside `FirehoseModule` (which it needs,
 * global as by default): `FirehoseFluxbaseModule.forRoot({ guards: [JwtQueryGuard] })`. Channels
 * are table change feeds (`table:public.products`, so it imports FirehoseChangeFeedModule) and any
 * stream. Its SQL helpers (`enable_realtime`, `disable_realtime`) come from `FLUXBASE_MIGRATIONS`.
 *
 * @publicApi
 */
@Module({})
export class FirehoseFluxbaseModule {
  /** Options are plain values: the routes are mounted when the module graph is built. */
  static forRoot(options: FirehoseFluxbaseOptions = {}): DynamicModule {
    const resolved = resolveFluxbaseOptions(options);
    return {
      module: FirehoseFluxbaseModule,
      imports: [FirehoseChangeFeedModule],
      controllers: [createFluxbaseStatsController(resolved)],
      providers: fluxbaseProviders(resolved),
    };
  }
}
