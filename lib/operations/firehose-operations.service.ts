import { Inject, Injectable } from '@nestjs/common';
import { FirehoseService } from '../firehose.service.js';
import type { FirehoseStatsSnapshot } from '../stats/firehose-stats-snapshot.interface.js';
import type { FirehoseOperationsReport, FirehoseOperationsStatus } from './firehose-operations-report.interface.js';
import { OPERATIONS_OPTIONS } from './operations.constants.js';
import type { ResolvedOperationsOptions } from './operations-options.js';

/**
 * The operations endpoint's answer, for an app that serves or checks it its own way.
 *
 * @publicApi
 */
@Injectable()
export class FirehoseOperationsService {
  /** @internal Nest injects the module's own providers. */
  constructor(
    private readonly firehose: FirehoseService,
    @Inject(OPERATIONS_OPTIONS) private readonly options: ResolvedOperationsOptions,
  ) {}

  /** The status and every figure of this process; see FirehoseOperationsReport. */
  report(): FirehoseOperationsReport {
    const stats = this.firehose.stats(this.options.streamLimit);
    return { status: statusOf(stats), ...stats };
  }
}

export function statusOf(stats: FirehoseStatsSnapshot): FirehoseOperationsStatus {
  if (stats.draining) return 'draining';
  const { state } = stats.listener;
  if (state === 'unhealthy' || state === 'closed') return 'unhealthy';
  if (state !== 'connected' || stats.notifyQueue?.aboveThreshold) return 'degraded';
  return 'ok';
}
