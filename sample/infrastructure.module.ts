import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  CHANGE_FEED_MIGRATIONS,
  DURABLE_STREAMS_MIGRATIONS,
  DurableStreamsModule,
  FIREHOSE_ENTITIES,
  FIREHOSE_MIGRATIONS,
  FLUXBASE_MIGRATIONS,
  FirehoseChangeFeedModule,
  FirehoseModule,
} from '../lib/index.js';
import { Comment } from './comments/comment.entity.js';
import { CreateSampleComments1732400000000 } from './comments/create-sample-comments.migration.js';
import { intFromEnv } from './config/env.js';
import { CreateFluxbaseProducts1732400000200 } from './realtime/create-fluxbase-products.migration.js';
import { CreateSampleProducts1732340000100 } from './products/create-sample-products.migration.js';
import { Product } from './products/product.entity.js';
import { PublicDurableStreamsAuthorizer } from './streams/public-durable-streams.authorizer.js';
import { PublicStreamsAuthorizer } from './streams/public-streams.authorizer.js';

export interface InfrastructureOptions {
  /** Serve the Durable Streams protocol at /v1/stream (the app does; the worker has no HTTP server). */
  durableStreams?: boolean;
}

/**
 * TypeORM and the Firehose module, configured the same way in the app and in the worker: two
 * processes on one database share one event log.
 */
@Module({})
export class InfrastructureModule {
  static forRoot(url: string, options: InfrastructureOptions = {}): DynamicModule {
    return {
      module: InfrastructureModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url,
          // Listed, not globbed: globs do not load ESM entity files.
          entities: [...FIREHOSE_ENTITIES, Comment, Product],
          // Each module's migrations, in order: the core, then the feature modules the app imports.
          migrations: [
            ...FIREHOSE_MIGRATIONS,
            ...DURABLE_STREAMS_MIGRATIONS,
            ...CHANGE_FEED_MIGRATIONS,
            // enable_realtime() and disable_realtime(), for RealtimeModule's Fluxbase endpoint.
            ...FLUXBASE_MIGRATIONS,
            CreateSampleComments1732400000000,
            CreateSampleProducts1732340000100,
            // Fluxbase's example table, `products`, with its feed turned on by enable_realtime().
            CreateFluxbaseProducts1732400000200,
          ],
          migrationsRun: true,
        }),
        // The async form, as with ConfigService: the factory runs while the app boots, so options
        // can come from the environment (or inject: [ConfigService]) rather than from import time.
        FirehoseModule.forRootAsync({
          // Serves GET /firehose/sse (the worker has no HTTP server, so it just ignores the route).
          authorizer: PublicStreamsAuthorizer,
          useFactory: () => ({
            cleanupThreshold: intFromEnv('FIREHOSE_CLEANUP_THRESHOLD', 100),
            // Below Express's 100 kB body limit, so POST /broadcast can show the library's own error.
            maxPayloadBytes: intFromEnv('FIREHOSE_MAX_PAYLOAD_BYTES', 64 * 1024),
          }),
        }),
        // Table change feeds: the products table's changes become the stream table:public.sample_products.
        FirehoseChangeFeedModule,
        // PUT/POST/GET /v1/stream/{name}: the Durable Streams HTTP protocol, stored in PostgreSQL.
        // Every request asks the authorizer (none: all refused); the app's own guards would go in `guards`.
        ...(options.durableStreams
          ? [DurableStreamsModule.forRoot({ path: '/v1/stream', authorizer: PublicDurableStreamsAuthorizer })]
          : []),
      ],
    };
  }
}
