import { Module, type DynamicModule } from '@nestjs/common';
import type { DurableStreamsOptions } from './durable-streams-options.interface.js';
import { resolveDurableStreamsOptions } from './durable-streams-options.js';
import { durableStreamsProviders } from './durable-streams.providers.js';
import { createDurableStreamsController } from './http/create-durable-streams-controller.js';

/**
 * Serves the Durable Streams HTTP protocol from PostgreSQL, beside `FirehoseModule` (which it
 * needs, global as by default): `DurableStreamsModule.forRoot({ path: '/v1/stream', authorizer })`.
 * Its tables come from `DURABLE_STREAMS_MIGRATIONS`. Requests go through the app's guards, the
 * module's `guards` and its `authorizer` (without one, every request is refused).
 *
 * @publicApi
 */
@Module({})
export class DurableStreamsModule {
  /** Options are plain values: the route is mounted when the module graph is built. */
  static forRoot(options: DurableStreamsOptions = {}): DynamicModule {
    const resolved = resolveDurableStreamsOptions(options);
    return {
      module: DurableStreamsModule,
      imports: resolved.imports,
      controllers: [createDurableStreamsController({ path: resolved.path, guards: resolved.guards })],
      providers: durableStreamsProviders(resolved),
    };
  }
}
