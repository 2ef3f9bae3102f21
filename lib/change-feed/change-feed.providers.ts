import type { Provider } from '@nestjs/common';
import { FIREHOSE_RESOLVED_OPTIONS } from '../firehose.constants.js';
import type { ResolvedFirehoseOptions } from '../firehose-options.js';
import { FirehoseCleaner } from '../cleanup/firehose-cleaner.js';
import { FirehoseStore } from '../store/firehose.store.js';
import { CHANGE_CHANNEL_SUFFIX, DEFAULT_CHANGE_RELAY_BATCH } from './change-feed.constants.js';
import { ChangeFeedRegistry } from './change-feed.registry.js';
import { ChangeFeedRelay } from './change-feed.relay.js';

/** Both depend on FirehoseStore so that they exist only once the migrations (if run at boot) are applied. */
export const CHANGE_FEED_PROVIDERS: Provider[] = [
  {
    provide: ChangeFeedRegistry,
    useFactory: (store: FirehoseStore) => new ChangeFeedRegistry(store.dataSource),
    inject: [FirehoseStore],
  },
  {
    provide: ChangeFeedRelay,
    useFactory: async (store: FirehoseStore, cleaner: FirehoseCleaner, options: ResolvedFirehoseOptions) => {
      const relay = new ChangeFeedRelay(store.dataSource, {
        channel: options.channel,
        wakeChannel: options.channel + CHANGE_CHANNEL_SUFFIX,
        notifyMaxBytes: options.notifyMaxBytes,
        batchEvents: DEFAULT_CHANGE_RELAY_BATCH,
        onAppended: (ids) => cleaner.markWritten(ids),
      });
      await relay.prepare();
      return relay;
    },
    inject: [FirehoseStore, FirehoseCleaner, FIREHOSE_RESOLVED_OPTIONS],
  },
];
