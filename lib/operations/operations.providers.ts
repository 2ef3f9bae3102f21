import type { Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { FIREHOSE_DATA_SOURCE } from '../firehose.constants.js';
import { PgListener } from '../listener/pg-listener.js';
import { FirehoseStats } from '../stats/firehose-stats.js';
import { FirehoseHealthIndicator } from './firehose-health.indicator.js';
import { FirehoseMetrics } from './firehose-metrics.js';
import { FirehoseOperationsService } from './firehose-operations.service.js';
import { loadMeter } from './load-meter.js';
import { NotifyQueueWatch } from './notify-queue-watch.js';
import { OPERATIONS_OPTIONS } from './operations.constants.js';
import type { ResolvedOperationsOptions } from './operations-options.js';
import { ShutdownDeadline } from './shutdown-deadline.js';

/** Providers of FirehoseOperationsModule; all of them read what the core's seams expose. */
export function operationsProviders(options: ResolvedOperationsOptions): Provider[] {
  return [
    { provide: OPERATIONS_OPTIONS, useValue: options },
    {
      provide: NotifyQueueWatch,
      useFactory: (dataSource: DataSource, stats: FirehoseStats) =>
        new NotifyQueueWatch(dataSource, stats, options.queueWatchInterval, options.queueWarnThreshold),
      inject: [FIREHOSE_DATA_SOURCE, FirehoseStats],
    },
    {
      provide: FirehoseMetrics,
      useFactory: async (stats: FirehoseStats, listener: PgListener) =>
        new FirehoseMetrics(await loadMeter(options.metrics), stats, listener),
      inject: [FirehoseStats, PgListener],
    },
    {
      provide: ShutdownDeadline,
      useFactory: (stats: FirehoseStats) => new ShutdownDeadline(stats, options.shutdownTimeout),
      inject: [FirehoseStats],
    },
    FirehoseOperationsService,
    FirehoseHealthIndicator,
  ];
}
