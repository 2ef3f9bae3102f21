import { Injectable } from '@nestjs/common';
import { FirehoseService } from '../firehose.service.js';
import type { ListenerState } from '../listener/listener-state.js';

/**
 * The result of `FirehoseHealthIndicator.isHealthy`, in the shape `@nestjs/terminus` reads
 * (`HealthIndicatorResult`): `down` makes the health check answer 503.
 *
 * @publicApi
 */
export type FirehoseHealthIndicatorResult = Record<
  string,
  {
    status: 'up' | 'down';
    listener: ListenerState;
    /** The last reading of the NOTIFY queue (0 to 1); null until the queue watch has read it. */
    notifyQueueUsage: number | null;
    draining: boolean;
    /** Why it is down, when it is. */
    message?: string;
  }
>;

/**
 * A `@nestjs/terminus` health indicator: down while the LISTEN connection is not connected (this
 * process then receives no live events), while the NOTIFY queue is above `queueWarnThreshold`
 * (broadcasts fail once it is full), and while the app drains. It returns terminus' result shape
 * and imports nothing from terminus, so apps without it pay nothing:
 *
 * ```ts
 * @Get('ready') @HealthCheck()
 * ready() { return this.health.check([() => this.firehose.isHealthy()]); }
 * ```
 *
 * @publicApi
 */
@Injectable()
export class FirehoseHealthIndicator {
  /** @internal Nest injects the module's own providers. */
  constructor(private readonly firehose: FirehoseService) {}

  /** The indicator's result under `key`: `up`, or `down` with a `message` that says why. */
  isHealthy(key = 'firehose'): FirehoseHealthIndicatorResult {
    const stats = this.firehose.stats(0);
    const { state } = stats.listener;
    const usage = stats.notifyQueue?.usage ?? null;
    const reasons: string[] = [];
    if (state !== 'connected') reasons.push(`the LISTEN connection is ${state}`);
    if (stats.notifyQueue?.aboveThreshold) {
      reasons.push(`the NOTIFY queue is above queueWarnThreshold (${stats.notifyQueue.usage} > ${stats.notifyQueue.threshold})`);
    }
    if (stats.draining) reasons.push('the app is shutting down');
    const details = { listener: state, notifyQueueUsage: usage, draining: stats.draining };
    if (reasons.length === 0) return { [key]: { status: 'up', ...details } };
    return { [key]: { status: 'down', ...details, message: `${reasons.join('; ')}.` } };
  }
}
