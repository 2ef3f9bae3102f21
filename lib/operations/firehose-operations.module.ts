import { Module, type DynamicModule } from '@nestjs/common';
import { createOperationsController } from './create-operations-controller.js';
import { FirehoseHealthIndicator } from './firehose-health.indicator.js';
import type { FirehoseOperationsOptions } from './firehose-operations-options.interface.js';
import { FirehoseOperationsService } from './firehose-operations.service.js';
import { operationsProviders } from './operations.providers.js';
import { resolveOperationsOptions } from './operations-options.js';

/**
 * Running Firehose in production, beside `FirehoseModule`: a JSON health and stats endpoint
 * (`GET /healthz` by default, behind your guards), OpenTelemetry metrics, a watch on PostgreSQL's
 * NOTIFY queue, a `@nestjs/terminus` health indicator, and a bounded shutdown. Global, so the
 * indicator and the service can be injected anywhere. See docs/operations.md.
 *
 * @publicApi
 */
@Module({})
export class FirehoseOperationsModule {
  /** Options are plain values: the route is part of the module graph. */
  static forRoot(options: FirehoseOperationsOptions = {}): DynamicModule {
    const resolved = resolveOperationsOptions(options);
    return {
      module: FirehoseOperationsModule,
      global: true,
      controllers: resolved.path === false ? [] : [createOperationsController({ path: resolved.path, guards: resolved.guards })],
      providers: operationsProviders(resolved),
      exports: [FirehoseOperationsService, FirehoseHealthIndicator],
    };
  }
}
