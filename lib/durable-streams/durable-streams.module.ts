import { Module, type DynamicModule } from '@nestjs/common';
import type { DurableStreamsOptions } from './durable-streams-options.interface.js';
import { resolveDurableStreamsOptions } from './durable-streams-options.js';
import { durableStreamsProviders } from './durable-streams.providers.js';

/**
 * Serves the Durable Streams HTTP protocol from PostgreSQL, beside `FirehoseModule` (which it
 * needs, global as by default): `DurableStreamsModule.forRoot({ path: '/v1/stream' })`. Its tables
 * come from `DURABLE_STREAMS_MIGRATIONS`.
 *
 * @publicApi
 */
@Module({})
export class DurableStreamsModule {
  /** Options are plain values: the route is mounted when the module graph is built. */
  static forRoot(options: DurableStreamsOptions = {}): DynamicModule {
    return { module: DurableStreamsModule, providers: durableStreamsProviders(resolveDurableStreamsOptions(options)) };
  }
}
