import type { OnApplicationShutdown } from '@nestjs/common';
import type { Attributes, BatchObservableResult, Histogram, Meter, Observable } from '@opentelemetry/api';
import type { PgListener } from '../listener/pg-listener.js';
import { DELIVERY_TRANSPORTS, type DeliveryTransport } from '../stats/delivery-transport.js';
import type { FirehoseStats } from '../stats/firehose-stats.js';
import type { FirehoseStatsObserver } from '../stats/firehose-stats-observer.interface.js';

/** From half a millisecond (a lone event on a quiet box) to seconds (a stalled listener). */
const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Up to the default `batchSize` of 500 and beyond. */
const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/** Made once: an observation allocates nothing per transport. */
const TRANSPORT_ATTRIBUTES: Record<DeliveryTransport, Attributes> = {
  websocket: { transport: 'websocket' },
  sse: { transport: 'sse' },
  local: { transport: 'local' },
};

/**
 * The process's figures as OpenTelemetry instruments. Counters and gauges are observed when the
 * app's reader collects, from the integers the hot paths keep, so a delivery costs nothing more;
 * only the histograms record as things happen: once per batch, and once per latency sample.
 */
export class FirehoseMetrics implements FirehoseStatsObserver, OnApplicationShutdown {
  private readonly batchSize?: Histogram;
  private readonly commitDuration?: Histogram;
  private readonly latency?: Histogram;
  private readonly observables: Observable[] = [];
  private stopObserving?: () => void;

  constructor(
    private readonly meter: Meter | undefined,
    private readonly stats: FirehoseStats,
    private readonly listener: PgListener,
  ) {
    if (!meter) return;
    this.batchSize = meter.createHistogram('firehose.batch.size', {
      description: 'Broadcasts per group-commit batch',
      unit: '{broadcast}',
      advice: { explicitBucketBoundaries: BATCH_SIZE_BUCKETS },
    });
    this.commitDuration = meter.createHistogram('firehose.batch.commit.duration', {
      description: 'Time to write and commit one batch of broadcasts',
      unit: 's',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    this.latency = meter.createHistogram('firehose.delivery.latency', {
      description: "Sampled: from a broadcast's commit to the end of its fan-out in the process that broadcast it",
      unit: 's',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    this.observables = [
      meter.createObservableCounter('firehose.broadcasts', { description: 'Broadcasts written', unit: '{broadcast}' }),
      meter.createObservableCounter('firehose.batches', { description: 'Group-commit batches written', unit: '{batch}' }),
      meter.createObservableCounter('firehose.deliveries', {
        description: 'Events handed to subscribers, one per subscriber and event',
        unit: '{delivery}',
      }),
      meter.createObservableCounter('firehose.drops', { description: 'Subscribers cut off for not reading', unit: '{connection}' }),
      meter.createObservableGauge('firehose.connections', { description: 'Open connections', unit: '{connection}' }),
      meter.createObservableGauge('firehose.subscribers', { description: 'Subscriptions to streams', unit: '{subscriber}' }),
      meter.createObservableCounter('firehose.replay.rows', { description: 'Rows read to replay history', unit: '{row}' }),
      meter.createObservableCounter('firehose.listener.reconnects', { description: 'LISTEN connections restored', unit: '{reconnect}' }),
      meter.createObservableGauge('firehose.listener.connected', { description: '1 while the LISTEN connection is up', unit: '1' }),
      meter.createObservableGauge('firehose.notify_queue.usage', {
        description: "Fraction of PostgreSQL's NOTIFY queue in use",
        unit: '1',
      }),
    ];
    meter.addBatchObservableCallback(this.observe, this.observables);
    this.stopObserving = stats.observe(this);
  }

  batchCommitted(size: number, commitSeconds: number): void {
    this.batchSize?.record(size);
    this.commitDuration?.record(commitSeconds);
  }

  deliveryLatency(seconds: number): void {
    this.latency?.record(seconds);
  }

  onApplicationShutdown(): void {
    this.stopObserving?.();
    this.meter?.removeBatchObservableCallback(this.observe, this.observables);
  }

  private readonly observe = (result: BatchObservableResult): void => {
    const [broadcasts, batches, deliveries, drops, connections, subscribers, replayRows, reconnects, connected, queueUsage] =
      this.observables;
    const counters = this.stats.counters();
    result.observe(broadcasts, counters.broadcasts);
    result.observe(batches, counters.batches);
    for (const transport of DELIVERY_TRANSPORTS) {
      const attributes = TRANSPORT_ATTRIBUTES[transport];
      result.observe(deliveries, counters.delivered[transport], attributes);
      result.observe(drops, counters.dropped[transport], attributes);
      result.observe(subscribers, counters.subscribers[transport], attributes);
    }
    for (const [transport, count] of this.stats.connections()) result.observe(connections, count, { transport });
    result.observe(replayRows, counters.replayedRows);
    result.observe(reconnects, this.listener.reconnects);
    result.observe(connected, this.listener.state === 'connected' ? 1 : 0);
    if (counters.notifyQueueUsage !== undefined) result.observe(queueUsage, counters.notifyQueueUsage);
  };
}
