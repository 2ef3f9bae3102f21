import { metrics } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { AllowAllStreamsAuthorizer, FirehoseOperationsModule } from '../../lib/index.js';
import { waitFor } from '../utils/collect.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { openSse } from '../utils/sse-client.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs } from '../utils/ws-client.js';

/** A reader the test collects from when it wants, as a Prometheus scrape would. */
class PullReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** The figures of one collection, looked up by instrument name and attributes. */
class Collected {
  constructor(private readonly metrics: MetricData[]) {}

  /** The value of a counter or gauge point (0 when absent); a histogram's count. */
  value(name: string, attributes: Record<string, string> = {}): number {
    const metric = this.metrics.find((m) => m.descriptor.name === name);
    const point = metric?.dataPoints.find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
    if (!metric || !point) return 0;
    if (metric.dataPointType === DataPointType.HISTOGRAM) return (point.value as { count: number }).count;
    return point.value as number;
  }

  histogram(name: string): { count: number; sum: number; max?: number } {
    const metric = this.metrics.find((m) => m.descriptor.name === name);
    return (metric?.dataPoints[0]?.value ?? { count: 0, sum: 0 }) as { count: number; sum: number; max?: number };
  }
}

describe('OpenTelemetry metrics', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });

  const collect = async () => {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    return new Collected(resourceMetrics.scopeMetrics.filter((s) => s.scope.name === 'nestjs-firehose').flatMap((s) => s.metrics));
  };

  beforeAll(async () => {
    // The app's SDK, installed before the app boots, as an app's tracing/metrics setup file would.
    metrics.setGlobalMeterProvider(provider);
    db = await createTestDatabase('ops_metrics');
    t = await createFirehoseHttpApp({
      url: db.url,
      firehose: { authorizer: AllowAllStreamsAuthorizer },
      imports: [FirehoseOperationsModule.forRoot({ path: false, queueWatchInterval: 0 })],
    });
  });
  afterAll(async () => {
    await t?.close();
    await provider.shutdown();
    metrics.disable();
    await db?.drop();
  });

  it('moves as traffic does: broadcasts, batches, deliveries by transport, connections, replay, latency', async () => {
    const idle = await collect();
    expect(idle.value('firehose.listener.connected')).toBe(1);
    expect(idle.value('firehose.connections', { transport: 'websocket' })).toBe(0);

    const ws = await openWs(`${t.wsUrl}/firehose`);
    ws.send({ command: 'subscribe', streams: ['metrics'] });
    await ws.waitForControl('subscribed');
    const sse = await openSse(`${t.baseUrl}/firehose/sse?streams=metrics`);
    await waitFor(async () => (await collect()).value('firehose.connections', { transport: 'sse' }) === 1, 5000, 'the SSE gauge');
    const open = await collect();
    expect(open.value('firehose.connections', { transport: 'websocket' })).toBe(1);
    expect(open.value('firehose.subscribers', { transport: 'websocket' })).toBe(1);

    // 20 broadcasts issued together: group commit writes them in few batches.
    const events = await Promise.all(Array.from({ length: 20 }, (_, i) => t.firehose.broadcast('metrics', { i })));
    await ws.waitForEvents(20);
    await sse.waitForDataFrames(20);
    // Let the sampled latency's microtask and the last fan-out settle.
    await waitFor(async () => (await collect()).histogram('firehose.delivery.latency').count > 0, 5000, 'a latency sample');

    const busy = await collect();
    expect(busy.value('firehose.broadcasts') - idle.value('firehose.broadcasts')).toBe(20);
    expect(
      busy.value('firehose.deliveries', { transport: 'websocket' }) - idle.value('firehose.deliveries', { transport: 'websocket' }),
    ).toBe(20);
    expect(busy.value('firehose.deliveries', { transport: 'sse' }) - idle.value('firehose.deliveries', { transport: 'sse' })).toBe(20);
    const batches = busy.histogram('firehose.batch.size');
    expect(batches.sum).toBe(20);
    expect(batches.count).toBeLessThan(20);
    expect(busy.value('firehose.batches')).toBe(batches.count);
    expect(busy.histogram('firehose.batch.commit.duration').count).toBe(batches.count);
    const latency = busy.histogram('firehose.delivery.latency');
    expect(latency.sum).toBeGreaterThan(0);
    expect(latency.max).toBeLessThan(5);

    // A resume replays rows from the table.
    const resumed = await openSse(`${t.baseUrl}/firehose/sse?streams=metrics`, { 'last-event-id': String(events[9].id) });
    await resumed.waitForDataFrames(10);
    expect((await collect()).value('firehose.replay.rows') - busy.value('firehose.replay.rows')).toBe(10);

    ws.close();
    sse.close();
    resumed.close();
    await waitFor(async () => (await collect()).value('firehose.connections', { transport: 'sse' }) === 0, 5000, 'the gauge to fall');
    expect((await collect()).value('firehose.subscribers', { transport: 'websocket' })).toBe(0);
  });
});
