import type { Provider } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { FIREHOSE_DATA_SOURCE, FIREHOSE_RESOLVED_OPTIONS } from '../firehose.constants.js';
import type { ResolvedFirehoseOptions } from '../firehose-options.js';
import { PgListener } from '../listener/pg-listener.js';
import { runFirehoseMigrations } from '../store/run-firehose-migrations.js';
import { DURABLE_STREAMS_MIGRATIONS } from '../../migrations/index.js';
import { AppendBatcher } from './append-batcher.js';
import { AppendRateLimiter } from './append-rate-limiter.js';
import { DURABLE_STREAMS_AUTHORIZER, DURABLE_STREAMS_CHANNEL_SUFFIX, DURABLE_STREAMS_DATABASE } from './durable-streams.constants.js';
import type { DurableStreamsAuthorizer } from './durable-streams-authorizer.interface.js';
import type { ResolvedDurableStreamsOptions } from './durable-streams-options.js';
import { DurableStreamsHttpMount } from './durable-streams-http-mount.js';
import { ExpiredStreamsSweeper } from './expired-streams.sweeper.js';
import { AppendHandler } from './http/append.handler.js';
import { CreateDeleteHandler } from './http/create-delete.handler.js';
import { DurableStreamsAccessGuard } from './http/durable-streams-access.guard.js';
import { DurableStreamsDirectDispatch } from './http/durable-streams-direct-dispatch.js';
import { DurableStreamsResponsePolicy } from './http/durable-streams-response-policy.js';
import { DurableStreamsRequestGate } from './http/durable-streams-request-gate.js';
import { DurableStreamsRouter } from './http/durable-streams.router.js';
import { LiveReadHandler } from './http/live-read.handler.js';
import { OpenReadLimit } from './http/open-read-limit.js';
import { FirehoseStats } from '../stats/firehose-stats.js';
import { OpenResponses } from './http/open-responses.js';
import { ReadHandler } from './http/read.handler.js';
import { MessageCache } from './message-cache.js';
import { MessageReader } from './message-reader.js';
import { AppendStore } from './store/append.store.js';
import { durableStreamsDatabase, type DurableStreamsDatabase } from './store/durable-streams-database.js';
import { MessageStore } from './store/message.store.js';
import { StreamStore } from './store/stream.store.js';
import { StreamQuotas } from './stream-quotas.js';
import { StreamWaiters } from './stream-waiters.js';

const channelOf = (firehose: ResolvedFirehoseOptions) => firehose.notifyChannel + DURABLE_STREAMS_CHANNEL_SUFFIX;

/** Providers of DurableStreamsModule; its NOTIFY channel rides on the core's LISTEN connection. */
export function durableStreamsProviders(options: ResolvedDurableStreamsOptions): Provider[] {
  return [
    ...(options.authorizer ? [{ provide: DURABLE_STREAMS_AUTHORIZER, useClass: options.authorizer }] : []),
    {
      provide: DURABLE_STREAMS_DATABASE,
      useFactory: async (dataSource: DataSource, firehose: ResolvedFirehoseOptions) => {
        if (firehose.migrationsRun) await runFirehoseMigrations(dataSource, DURABLE_STREAMS_MIGRATIONS);
        return durableStreamsDatabase(dataSource, channelOf(firehose));
      },
      inject: [FIREHOSE_DATA_SOURCE, FIREHOSE_RESOLVED_OPTIONS],
    },
    { provide: StreamStore, useFactory: (db: DurableStreamsDatabase) => new StreamStore(db), inject: [DURABLE_STREAMS_DATABASE] },
    { provide: MessageStore, useFactory: (db: DurableStreamsDatabase) => new MessageStore(db), inject: [DURABLE_STREAMS_DATABASE] },
    {
      provide: AppendStore,
      useFactory: (db: DurableStreamsDatabase) => new AppendStore(db, options.maxStreamBytes),
      inject: [DURABLE_STREAMS_DATABASE],
    },
    {
      provide: StreamQuotas,
      useFactory: (streams: StreamStore) => new StreamQuotas(streams, options.maxStreamBytes, options.maxTotalBytes),
      inject: [StreamStore],
    },
    {
      provide: StreamWaiters,
      useFactory: async (listener: PgListener, firehose: ResolvedFirehoseOptions) => {
        const waiters = new StreamWaiters(channelOf(firehose));
        await listener.register(waiters);
        return waiters;
      },
      inject: [PgListener, FIREHOSE_RESOLVED_OPTIONS],
    },
    {
      provide: AppendBatcher,
      useFactory: (store: AppendStore) => new AppendBatcher(store, options.appendBatchSize, options.appendBatchBytes),
      inject: [AppendStore],
    },
    {
      provide: MessageReader,
      useFactory: (streams: StreamStore, messages: MessageStore) =>
        new MessageReader(streams, messages, new MessageCache(options.readCacheBytes), options.readChunkBytes),
      inject: [StreamStore, MessageStore],
    },
    {
      provide: DurableStreamsRouter,
      useFactory: (
        streams: StreamStore,
        messages: MessageStore,
        reader: MessageReader,
        batcher: AppendBatcher,
        waiters: StreamWaiters,
        quotas: StreamQuotas,
        stats: FirehoseStats,
      ) => {
        const responses = new OpenResponses();
        const openReads = new OpenReadLimit(options.maxOpenReads);
        // Its waiting long-polls and SSE reads are connections of the process, as the stats count them.
        stats.register({ name: 'durableStreams', connections: () => openReads.count });
        const live = new LiveReadHandler(streams, reader, waiters, responses, options, openReads);
        const rateLimiter = options.maxAppendsPerSecond === null ? undefined : new AppendRateLimiter(options.maxAppendsPerSecond);
        return new DurableStreamsRouter(
          new CreateDeleteHandler(streams, messages, reader, options.maxAppendBytes, quotas),
          new AppendHandler(batcher, reader, options.maxAppendBytes, quotas, rateLimiter),
          new ReadHandler(streams, reader, live),
          responses,
        );
      },
      inject: [StreamStore, MessageStore, MessageReader, AppendBatcher, StreamWaiters, StreamQuotas, FirehoseStats],
    },
    { provide: ExpiredStreamsSweeper, useFactory: (streams: StreamStore) => new ExpiredStreamsSweeper(streams), inject: [StreamStore] },
    {
      provide: DurableStreamsHttpMount,
      useFactory: (
        host: HttpAdapterHost,
        config: ApplicationConfig,
        router: DurableStreamsRouter,
        waiters: StreamWaiters,
        authorizer: DurableStreamsAuthorizer | undefined,
      ) => {
        const gate = new DurableStreamsRequestGate(new DurableStreamsResponsePolicy(options.allowedOrigins));
        const direct = new DurableStreamsDirectDispatch(new DurableStreamsAccessGuard(authorizer), router);
        return new DurableStreamsHttpMount(host, config, gate, router, direct, waiters, options, authorizer);
      },
      inject: [
        HttpAdapterHost,
        ApplicationConfig,
        DurableStreamsRouter,
        StreamWaiters,
        { token: DURABLE_STREAMS_AUTHORIZER, optional: true },
      ],
    },
  ];
}
