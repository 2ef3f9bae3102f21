import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FIREHOSE_ENTITIES, FIREHOSE_MIGRATIONS, FirehoseModule } from '../lib/index.js';
import { Comment } from './comments/comment.entity.js';
import { CreateSampleComments1732400000000 } from './comments/create-sample-comments.migration.js';
import { intFromEnv } from './config/env.js';
import { CreateSampleProducts1732340000100 } from './products/create-sample-products.migration.js';
import { Product } from './products/product.entity.js';
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
          migrations: [...FIREHOSE_MIGRATIONS, CreateSampleComments1732400000000, CreateSampleProducts1732340000100],
          migrationsRun: true,
        }),
        // The async form, as with ConfigService: the factory runs while the app boots, so options
        // can come from the environment (or inject: [ConfigService]) rather than from import time.
        FirehoseModule.forRootAsync({
          // Serves GET /firehose/sse (the worker has no HTTP server, so it just ignores the route).
          authorizer: PublicStreamsAuthorizer,
          // PUT/POST/GET /v1/stream/{name}: the Durable Streams HTTP protocol, stored in PostgreSQL.
          durableStreams: options.durableStreams ? true : undefined,
          useFactory: () => ({
            cleanupThreshold: intFromEnv('FIREHOSE_CLEANUP_THRESHOLD', 100),
            // Below Express's 100 kB body limit, so POST /broadcast can show the library's own error.
            maxPayloadBytes: intFromEnv('FIREHOSE_MAX_PAYLOAD_BYTES', 64 * 1024),
          }),
        }),
      ],
    };
  }
}
