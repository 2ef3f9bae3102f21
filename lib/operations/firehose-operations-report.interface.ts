import type { FirehoseStatsSnapshot } from '../stats/firehose-stats-snapshot.interface.js';

/**
 * How the process is doing, as one word:
 * - `ok`;
 * - `degraded`: the listener is reconnecting, or the NOTIFY queue is above `queueWarnThreshold`
 *   (the queue is the cluster's: every instance reports it, so it does not take one out);
 * - `unhealthy`: the listener failed `reconnectAttempts` times in a row (it keeps trying), or is closed;
 * - `draining`: the app is shutting down and refuses new connections.
 *
 * @publicApi
 */
export type FirehoseOperationsStatus = 'ok' | 'degraded' | 'unhealthy' | 'draining';

/**
 * What the operations endpoint answers: the status, then `FirehoseService.stats()`. The answer is
 * `503` when the status is `unhealthy` or `draining`, so a load balancer stops sending clients.
 *
 * @publicApi
 */
export interface FirehoseOperationsReport extends FirehoseStatsSnapshot {
  /** See FirehoseOperationsStatus. */
  status: FirehoseOperationsStatus;
}
