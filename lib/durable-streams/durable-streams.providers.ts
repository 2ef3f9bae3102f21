import type { Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { FIREHOSE_DATA_SOURCE, FIREHOSE_RESOLVED_OPTIONS } from '../firehose.constants.js';
import type { ResolvedFirehoseOptions } from '../firehose-options.js';
import { PgListener } from '../listener/pg-listener.js';
import { runFirehoseMigrations } from '../store/run-firehose-migrations.js';
import { DURABLE_STREAMS_MIGRATIONS } from '../../migrations/index.js';
import { AppendBatcher } from './append-batcher.js';
import { DURABLE_STREAMS_CHANNEL_SUFFIX } from './durable-streams.constants.js';
import { DurableStreamsHandler } from './durable-streams.handler.js';
import type { ResolvedDurableStreamsOptions } from './durable-streams-options.js';
import { DurableStreamsServer } from './durable-streams.server.js';
import { DurableStreamsStore } from './durable-streams.store.js';
import { ExpiredStreamsSweeper } from './expired-streams.sweeper.js';
import { MessageCache } from './message-cache.js';
import { StreamWaiters } from './stream-waiters.js';

/** Providers of DurableStreamsModule; its NOTIFY channel rides on the core's LISTEN connection. */
export function durableStreamsProviders(options: ResolvedDurableStreamsOptions): Provider[] {
  return [
    {
      provide: DurableStreamsStore,
      useFactory: async (dataSource: DataSource, firehose: ResolvedFirehoseOptions) => {
        if (firehose.migrationsRun) await runFirehoseMigrations(dataSource, DURABLE_STREAMS_MIGRATIONS);
        return new DurableStreamsStore(dataSource, firehose.notifyChannel + DURABLE_STREAMS_CHANNEL_SUFFIX);
      },
      inject: [FIREHOSE_DATA_SOURCE, FIREHOSE_RESOLVED_OPTIONS],
    },
    {
      provide: StreamWaiters,
      useFactory: async (listener: PgListener, firehose: ResolvedFirehoseOptions) => {
        const waiters = new StreamWaiters(firehose.notifyChannel + DURABLE_STREAMS_CHANNEL_SUFFIX);
        await listener.register(waiters);
        return waiters;
      },
      inject: [PgListener, FIREHOSE_RESOLVED_OPTIONS],
    },
    {
      provide: AppendBatcher,
      useFactory: (store: DurableStreamsStore) => new AppendBatcher(store, options.appendBatchSize),
      inject: [DurableStreamsStore],
    },
    {
      provide: DurableStreamsHandler,
      useFactory: (store: DurableStreamsStore, batcher: AppendBatcher, waiters: StreamWaiters) =>
        new DurableStreamsHandler(store, batcher, waiters, new MessageCache(options.readCacheBytes), options),
      inject: [DurableStreamsStore, AppendBatcher, StreamWaiters],
    },
    { provide: ExpiredStreamsSweeper, useFactory: (store: DurableStreamsStore) => new ExpiredStreamsSweeper(store), inject: [DurableStreamsStore] },
    {
      provide: DurableStreamsServer,
      useFactory: (host: HttpAdapterHost, handler: DurableStreamsHandler, waiters: StreamWaiters) =>
        new DurableStreamsServer(host, handler, waiters, options.path),
      inject: [HttpAdapterHost, DurableStreamsHandler, StreamWaiters],
    },
  ];
}
