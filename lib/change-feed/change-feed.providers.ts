import type { Provider } from '@nestjs/common';
import { FIREHOSE_RESOLVED_OPTIONS } from '../firehose.constants.js';
import type { ResolvedFirehoseOptions } from '../firehose-options.js';
import { FirehoseCleaner } from '../cleanup/firehose-cleaner.js';
import { PgListener } from '../listener/pg-listener.js';
import { FirehoseStore } from '../store/firehose.store.js';
import { runFirehoseMigrations } from '../store/run-firehose-migrations.js';
import { CHANGE_FEED_MIGRATIONS } from '../../migrations/index.js';
import { CHANGE_FEED_WAKE_CHANNEL_SUFFIX, CHANGE_RELAY_BATCH_EVENTS } from './change-feed.constants.js';
import { ChangeFeedRegistry } from './change-feed.registry.js';
import { ChangeFeedRelay } from './change-feed.relay.js';
import { FirehoseChangeFeedService } from './firehose-change-feed.service.js';

/** The registry waits for the feature's migrations; the relay registers its wake channel with the core's listener. */
export const CHANGE_FEED_PROVIDERS: Provider[] = [
  {
    provide: ChangeFeedRegistry,
    useFactory: async (store: FirehoseStore, options: ResolvedFirehoseOptions) => {
      if (options.migrationsRun) await runFirehoseMigrations(store.dataSource, CHANGE_FEED_MIGRATIONS);
      return new ChangeFeedRegistry(store.dataSource);
    },
    inject: [FirehoseStore, FIREHOSE_RESOLVED_OPTIONS],
  },
  {
    provide: ChangeFeedRelay,
    useFactory: async (
      // Injected so the relay starts only once the registry has applied the feature's migrations.
      _registry: ChangeFeedRegistry,
      store: FirehoseStore,
      cleaner: FirehoseCleaner,
      listener: PgListener,
      options: ResolvedFirehoseOptions,
    ) => {
      const relay = new ChangeFeedRelay(store.dataSource, {
        eventChannel: options.notifyChannel,
        wakeChannel: options.notifyChannel + CHANGE_FEED_WAKE_CHANNEL_SUFFIX,
        notifyMaxBytes: options.notifyMaxBytes,
        batchEvents: CHANGE_RELAY_BATCH_EVENTS,
        onAppended: (ids) => cleaner.markWritten(ids),
      });
      await relay.prepare();
      await listener.register(relay);
      return relay;
    },
    inject: [ChangeFeedRegistry, FirehoseStore, FirehoseCleaner, PgListener, FIREHOSE_RESOLVED_OPTIONS],
  },
  FirehoseChangeFeedService,
];
