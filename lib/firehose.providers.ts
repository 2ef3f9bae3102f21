import type { Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import {
  FIREHOSE_DATA_SOURCE,
  FIREHOSE_LISTENER_CHANNELS,
  FIREHOSE_MODULE_OPTIONS,
  FIREHOSE_RESOLVED_OPTIONS,
  QUEUE_CHANNEL_SUFFIX,
} from './firehose.constants.js';
import { resolveFirehoseOptions, type ResolvedFirehoseOptions } from './firehose-options.js';
import { FirehoseCleaner } from './cleanup/firehose-cleaner.js';
import { EventStreamReaders } from './delivery/event-stream.js';
import { FirehoseHub } from './delivery/firehose-hub.js';
import { FirehoseExplorer } from './explorer/firehose.explorer.js';
import { FirehoseService } from './firehose.service.js';
import type { FirehoseModuleOptions } from './interfaces/firehose-module-options.interface.js';
import { listenerConnectionConfig } from './listener/listener-connection-config.js';
import type { ListenerChannelHandler } from './listener/listener-channel-handler.js';
import { PgListener } from './listener/pg-listener.js';
import { BroadcastBatcher } from './publish/broadcast-batcher.js';
import { FirehoseQueueRegistry } from './queue/firehose-queue.registry.js';
import { FirehoseStore } from './store/firehose.store.js';
import { runFirehoseMigrations } from './store/run-firehose-migrations.js';
import { CHANGE_FEED_PROVIDERS } from './change-feed/change-feed.providers.js';
import { ChangeFeedRelay } from './change-feed/change-feed.relay.js';

/**
 * Every long-lived object is built in a factory, ready, per app: several apps in one process
 * (tests) never share a listener or a batcher. Order comes from the injection graph, not hooks.
 */
export const FIREHOSE_PROVIDERS: Provider[] = [
  {
    provide: FIREHOSE_RESOLVED_OPTIONS,
    useFactory: (options: FirehoseModuleOptions) => resolveFirehoseOptions(options),
    inject: [FIREHOSE_MODULE_OPTIONS],
  },
  {
    provide: FirehoseStore,
    useFactory: async (dataSource: DataSource, options: ResolvedFirehoseOptions) => {
      if (options.migrationsRun) await runFirehoseMigrations(dataSource);
      return new FirehoseStore(dataSource, options.channel, options.notifyMaxBytes);
    },
    inject: [FIREHOSE_DATA_SOURCE, FIREHOSE_RESOLVED_OPTIONS],
  },
  {
    provide: FirehoseHub,
    useFactory: (store: FirehoseStore, options: ResolvedFirehoseOptions) => new FirehoseHub(store, options.replayBatchSize),
    inject: [FirehoseStore, FIREHOSE_RESOLVED_OPTIONS],
  },
  {
    provide: EventStreamReaders,
    useFactory: (hub: FirehoseHub, store: FirehoseStore, options: ResolvedFirehoseOptions) =>
      new EventStreamReaders(hub, store, options.replayBatchSize),
    inject: [FirehoseHub, FirehoseStore, FIREHOSE_RESOLVED_OPTIONS],
  },
  {
    provide: FirehoseQueueRegistry,
    useFactory: (store: FirehoseStore, options: ResolvedFirehoseOptions) =>
      new FirehoseQueueRegistry(store, options.channel + QUEUE_CHANNEL_SUFFIX, options.notifyMaxBytes, options.queueBufferSize),
    inject: [FirehoseStore, FIREHOSE_RESOLVED_OPTIONS],
  },
  {
    provide: FirehoseCleaner,
    useFactory: (store: FirehoseStore, options: ResolvedFirehoseOptions) =>
      new FirehoseCleaner(store, options.cleanupThreshold, options.cleanupInterval),
    inject: [FirehoseStore, FIREHOSE_RESOLVED_OPTIONS],
  },
  {
    provide: BroadcastBatcher,
    useFactory: (store: FirehoseStore, cleaner: FirehoseCleaner, options: ResolvedFirehoseOptions) =>
      new BroadcastBatcher(store, options.channel, options.batchSize, (ids) => cleaner.markWritten(ids)),
    inject: [FirehoseStore, FirehoseCleaner, FIREHOSE_RESOLVED_OPTIONS],
  },
  {
    provide: PgListener,
    useFactory: async (
      dataSource: DataSource,
      options: ResolvedFirehoseOptions,
      hub: FirehoseHub,
      queues: FirehoseQueueRegistry,
      extra: ListenerChannelHandler[] | undefined,
      changeRelay: ChangeFeedRelay,
    ) => {
      const queueChannel = options.channel + QUEUE_CHANNEL_SUFFIX;
      const handlers = new Map([changeRelay, ...(extra ?? [])].map((handler) => [handler.channel, handler]));
      const listener = new PgListener(
        listenerConnectionConfig(dataSource, options.databaseUrl),
        {
          channels: [options.channel, queueChannel, ...handlers.keys()],
          reconnectAttempts: options.reconnectAttempts,
          reconnectDelay: options.reconnectDelay,
          heartbeatInterval: options.heartbeatInterval,
          heartbeatTimeout: options.heartbeatTimeout,
        },
        {
          onListening: async (reconnected) => {
            await hub.onListening();
            for (const handler of handlers.values()) await handler.onListening(reconnected);
          },
          onNotification: (channel, payload) => {
            if (channel === options.channel) hub.onNotification(payload);
            else if (channel === queueChannel) queues.onNotification(payload);
            else handlers.get(channel)?.onNotification(payload);
          },
        },
      );
      await listener.connect();
      return listener;
    },
    inject: [
      FIREHOSE_DATA_SOURCE,
      FIREHOSE_RESOLVED_OPTIONS,
      FirehoseHub,
      FirehoseQueueRegistry,
      { token: FIREHOSE_LISTENER_CHANNELS, optional: true },
      ChangeFeedRelay,
    ],
  },
  ...CHANGE_FEED_PROVIDERS,
  FirehoseExplorer,
  FirehoseService,
];
