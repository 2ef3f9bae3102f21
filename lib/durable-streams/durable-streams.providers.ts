import type { Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { FIREHOSE_DATA_SOURCE, FIREHOSE_LISTENER_CHANNELS, FIREHOSE_RESOLVED_OPTIONS } from '../firehose.constants.js';
import type { ResolvedFirehoseOptions } from '../firehose-options.js';
import { AppendBatcher } from './append-batcher.js';
import { DURABLE_STREAMS_CHANNEL_SUFFIX } from './durable-streams.constants.js';
import { DurableStreamsHandler } from './durable-streams.handler.js';
import type { ResolvedDurableStreamsOptions } from './durable-streams-options.js';
import { DurableStreamsServer } from './durable-streams.server.js';
import { DurableStreamsStore } from './durable-streams.store.js';
import { ExpiredStreamsSweeper } from './expired-streams.sweeper.js';
import { MessageCache } from './message-cache.js';
import { StreamWaiters } from './stream-waiters.js';

/** Providers of the `durableStreams` extra; its LISTEN channel rides on the module's listener. */
export function durableStreamsProviders(options: ResolvedDurableStreamsOptions): Provider[] {
  return [
    {
      provide: StreamWaiters,
      useFactory: (firehose: ResolvedFirehoseOptions) => new StreamWaiters(firehose.channel + DURABLE_STREAMS_CHANNEL_SUFFIX),
      inject: [FIREHOSE_RESOLVED_OPTIONS],
    },
    { provide: FIREHOSE_LISTENER_CHANNELS, useFactory: (waiters: StreamWaiters) => [waiters], inject: [StreamWaiters] },
    {
      provide: DurableStreamsStore,
      useFactory: (dataSource: DataSource, waiters: StreamWaiters) => new DurableStreamsStore(dataSource, waiters.channel),
      inject: [FIREHOSE_DATA_SOURCE, StreamWaiters],
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
