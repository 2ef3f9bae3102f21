import type { Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { FIREHOSE_DATA_SOURCE, FIREHOSE_MODULE_OPTIONS, FIREHOSE_RESOLVED_OPTIONS, QUEUE_CHANNEL_SUFFIX } from './firehose.constants.js';
import { resolveFirehoseOptions, type ResolvedFirehoseOptions } from './firehose-options.js';
import { FirehoseCleaner } from './cleanup/firehose-cleaner.js';
import { EventStreamReaderFactory } from './delivery/event-stream-reader.js';
import { FirehoseHub } from './delivery/firehose-hub.js';
import { FirehoseExplorer } from './explorer/firehose.explorer.js';
import { FirehoseService } from './firehose.service.js';
import { MessageEventStreams } from './transports/message-events/message-event-streams.js';
import { ConnectionSlots } from './transports/connection/connection-slots.js';
import type { FirehoseModuleOptions } from './interfaces/firehose-module-options.interface.js';
import { listenerConnectionConfig } from './listener/listener-connection-config.js';
import { NotifySignature } from './listener/notify-signature.js';
import { PgListener } from './listener/pg-listener.js';
import { BroadcastBatcher } from './publish/broadcast-batcher.js';
import { FirehoseQueueRegistry } from './queue/firehose-queue.registry.js';
import { FirehoseStore } from './store/firehose.store.js';
import { runFirehoseMigrations } from './store/run-firehose-migrations.js';
import { FirehoseStats } from './stats/firehose-stats.js';
import { FIREHOSE_MIGRATIONS } from '../migrations/index.js';

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
      if (options.migrationsRun) await runFirehoseMigrations(dataSource, FIREHOSE_MIGRATIONS);
      const store = new FirehoseStore(dataSource, options.notifyChannel, options.notifyMaxBytes);
      // Stops the boot with the fix, instead of a listener retrying "relation does not exist".
      await store.assertTablesExist();
      return store;
    },
    inject: [FIREHOSE_DATA_SOURCE, FIREHOSE_RESOLVED_OPTIONS],
  },
  { provide: FirehoseStats, useFactory: () => new FirehoseStats() },
  {
    // Read once, with the app's role: every process of the app signs and checks with this key.
    provide: NotifySignature,
    useFactory: async (store: FirehoseStore) => new NotifySignature(await store.readNotifyKey()),
    inject: [FirehoseStore],
  },
  {
    provide: FirehoseHub,
    useFactory: (store: FirehoseStore, options: ResolvedFirehoseOptions, stats: FirehoseStats) =>
      new FirehoseHub(store, options.notifyChannel, options.replayBatchSize, stats),
    inject: [FirehoseStore, FIREHOSE_RESOLVED_OPTIONS, FirehoseStats],
  },
  {
    provide: EventStreamReaderFactory,
    useFactory: (hub: FirehoseHub, store: FirehoseStore, options: ResolvedFirehoseOptions) =>
      new EventStreamReaderFactory(hub, store, options.replayBatchSize),
    inject: [FirehoseHub, FirehoseStore, FIREHOSE_RESOLVED_OPTIONS],
  },
  {
    provide: FirehoseQueueRegistry,
    useFactory: (store: FirehoseStore, options: ResolvedFirehoseOptions, signature: NotifySignature) =>
      new FirehoseQueueRegistry(
        store,
        options.notifyChannel + QUEUE_CHANNEL_SUFFIX,
        options.notifyMaxBytes,
        options.queueBufferSize,
        signature,
      ),
    inject: [FirehoseStore, FIREHOSE_RESOLVED_OPTIONS, NotifySignature],
  },
  {
    provide: FirehoseCleaner,
    useFactory: (store: FirehoseStore, options: ResolvedFirehoseOptions) =>
      new FirehoseCleaner(store, options.cleanupThreshold, options.cleanupInterval),
    inject: [FirehoseStore, FIREHOSE_RESOLVED_OPTIONS],
  },
  {
    provide: BroadcastBatcher,
    useFactory: (store: FirehoseStore, cleaner: FirehoseCleaner, options: ResolvedFirehoseOptions, stats: FirehoseStats) =>
      new BroadcastBatcher(store, options.batchSize, (ids) => cleaner.markWritten(ids), stats),
    inject: [FirehoseStore, FirehoseCleaner, FIREHOSE_RESOLVED_OPTIONS, FirehoseStats],
  },
  {
    provide: PgListener,
    useFactory: async (
      dataSource: DataSource,
      options: ResolvedFirehoseOptions,
      hub: FirehoseHub,
      queues: FirehoseQueueRegistry,
      signature: NotifySignature,
    ) => {
      const listener = new PgListener(
        listenerConnectionConfig(dataSource, options.databaseUrl),
        {
          reconnectAttempts: options.reconnectAttempts,
          reconnectDelay: options.reconnectDelay,
          heartbeatInterval: options.heartbeatInterval,
          heartbeatTimeout: options.heartbeatTimeout,
        },
        signature,
      );
      await listener.register(hub);
      await listener.register(queues);
      await listener.connect();
      return listener;
    },
    inject: [FIREHOSE_DATA_SOURCE, FIREHOSE_RESOLVED_OPTIONS, FirehoseHub, FirehoseQueueRegistry, NotifySignature],
  },
  { provide: MessageEventStreams, useFactory: () => new MessageEventStreams() },
  {
    provide: ConnectionSlots,
    useFactory: (options: ResolvedFirehoseOptions) => new ConnectionSlots(options.maxConnections),
    inject: [FIREHOSE_RESOLVED_OPTIONS],
  },
  FirehoseExplorer,
  FirehoseService,
];

/**
 * What the feature modules (`DurableStreamsModule`, `FirehoseChangeFeedModule`,
 * `FirehoseFluxbaseModule`, `FirehoseOperationsModule`, `FirehoseTopicsModule`) inject from the core: the resolved options,
 * the DataSource, the store and its cleaner, the LISTEN connection they register their NOTIFY
 * channels with, the readers a transport of their own reads streams through, the stats they
 * report into, the connection slots they count against (which also say whether the app is
 * draining), and the key that signs what they NOTIFY. Not part of the public API.
 */
export const FIREHOSE_FEATURE_SEAMS = [
  FIREHOSE_RESOLVED_OPTIONS,
  FIREHOSE_DATA_SOURCE,
  FirehoseStore,
  FirehoseCleaner,
  PgListener,
  EventStreamReaderFactory,
  FirehoseStats,
  ConnectionSlots,
  NotifySignature,
];
