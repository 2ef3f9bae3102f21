import type { Provider } from '@nestjs/common';
import { FirehoseChangeFeedService } from '../change-feed/firehose-change-feed.service.js';
import { FIREHOSE_RESOLVED_OPTIONS } from '../firehose.constants.js';
import type { ResolvedFirehoseOptions } from '../firehose-options.js';
import { FirehoseStore } from '../store/firehose.store.js';
import { runFirehoseMigrations } from '../store/run-firehose-migrations.js';
import { FLUXBASE_MIGRATIONS } from '../../migrations/index.js';
import { FLUXBASE_MIGRATIONS_APPLIED, FLUXBASE_OPTIONS } from './fluxbase.constants.js';
import type { ResolvedFluxbaseOptions } from './fluxbase-options.js';
import { FluxbaseStats } from './fluxbase-stats.js';
import { FirehoseStats } from '../stats/firehose-stats.js';
import { createFluxbaseGateway } from './create-fluxbase-gateway.js';
import { FluxbaseGateway } from './fluxbase.gateway.js';

/** One registration's providers: its options, its SQL helpers, its counts and its gateway. */
export function fluxbaseProviders(options: ResolvedFluxbaseOptions): Provider[] {
  return [
    { provide: FLUXBASE_OPTIONS, useValue: options },
    {
      provide: FLUXBASE_MIGRATIONS_APPLIED,
      // After the change feeds' own migrations (their service waits for them): enable_realtime calls them.
      useFactory: async (store: FirehoseStore, firehoseOptions: ResolvedFirehoseOptions, _changeFeeds: FirehoseChangeFeedService) => {
        if (firehoseOptions.migrationsRun) await runFirehoseMigrations(store.dataSource, FLUXBASE_MIGRATIONS);
        return true;
      },
      inject: [FirehoseStore, FIREHOSE_RESOLVED_OPTIONS, FirehoseChangeFeedService],
    },
    {
      provide: FluxbaseStats,
      useFactory: (firehoseStats: FirehoseStats) => {
        const counts = new FluxbaseStats();
        // Its WebSocket connections are the process's too, beside the Firehose transports'.
        firehoseStats.register({ name: 'fluxbase', connections: () => counts.snapshot().connections, stats: () => counts.snapshot() });
        return counts;
      },
      inject: [FirehoseStats],
    },
    { provide: FluxbaseGateway, useClass: createFluxbaseGateway(options) },
  ];
}
