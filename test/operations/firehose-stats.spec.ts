import { FirehoseOperationsModule, OperationsConfigurationError } from '../../lib/index.js';
import { FirehoseStats } from '../../lib/stats/firehose-stats.js';

const context = { listener: { state: 'connected' as const, reconnects: 0 }, draining: false, streamLimit: 100 };

describe('FirehoseStats', () => {
  it('counts deliveries once per event from the subscribers each stream has by transport', () => {
    const stats = new FirehoseStats();
    stats.subscribed('a', 'websocket');
    stats.subscribed('a', 'websocket');
    stats.subscribed('a', 'sse');
    stats.subscribed('b');
    stats.fannedOut('a', 1);
    stats.fannedOut('a', 2);
    stats.fannedOut('b', 3);
    stats.fannedOut('nobody', 4);

    const snapshot = stats.snapshot(context);
    expect(snapshot.streams).toEqual({
      a: { subscribers: 3, delivered: 6, dropped: 0 },
      b: { subscribers: 1, delivered: 1, dropped: 0 },
    });
    expect(snapshot.transports).toEqual({
      websocket: { subscribers: 2, delivered: 4, dropped: 0 },
      sse: { subscribers: 1, delivered: 2, dropped: 0 },
      local: { subscribers: 1, delivered: 1, dropped: 0 },
    });
    expect(snapshot.totals).toMatchObject({ streams: 2, subscribers: 4, delivered: 7 });
  });

  it('forgets a stream once its last subscriber leaves, keeping the totals', () => {
    const stats = new FirehoseStats();
    stats.subscribed('a', 'sse');
    stats.fannedOut('a', 1);
    stats.droppedSlow('sse', ['a']);
    expect(stats.snapshot(context).streams.a).toEqual({ subscribers: 1, delivered: 1, dropped: 1 });
    stats.unsubscribed('a', 'sse');
    stats.unsubscribed('a', 'sse');
    const snapshot = stats.snapshot(context);
    expect(snapshot.streams).toEqual({});
    expect(snapshot.transports.sse).toEqual({ subscribers: 0, delivered: 1, dropped: 1 });
  });

  it('lists the busiest streams up to the limit', () => {
    const stats = new FirehoseStats();
    for (let i = 1; i <= 5; i++) for (let s = 0; s < i; s++) stats.subscribed(`s${i}`, 'websocket');
    expect(Object.keys(stats.snapshot({ ...context, streamLimit: 2 }).streams)).toEqual(['s5', 's4']);
    expect(stats.snapshot({ ...context, streamLimit: 2 }).totals.streams).toBe(5);
  });

  it('adds what registered sources report, and removes a source on request', () => {
    const stats = new FirehoseStats();
    const remove = stats.register({ name: 'topics', connections: () => 3, stats: () => ({ topics: { t: { ringDepth: 2 } } }) });
    stats.register({ name: 'broken', stats: () => JSON.parse('{') });
    expect(() => stats.register({ name: 'topics' })).toThrow(/registered already/);
    const snapshot = stats.snapshot(context);
    expect(snapshot.connections).toEqual({ total: 3, topics: 3 });
    expect(snapshot.features.topics).toEqual({ topics: { t: { ringDepth: 2 } } });
    expect(snapshot.features.broken).toEqual({ error: expect.stringContaining('SyntaxError') });
    remove();
    expect(stats.snapshot(context).connections).toEqual({ total: 0 });
  });

  it('times one broadcast at a time from its commit to the end of its fan-out', async () => {
    const stats = new FirehoseStats();
    const latencies: number[] = [];
    const batches: number[] = [];
    stats.observe({ deliveryLatency: (s) => latencies.push(s), batchCommitted: (size) => batches.push(size) });
    stats.batchCommitted(3, 12, performance.now());
    stats.batchCommitted(1, 13, performance.now());
    stats.fannedOut('a', 10);
    stats.fannedOut('a', 11);
    expect(latencies).toEqual([]);
    stats.fannedOut('a', 12);
    await Promise.resolve();
    expect(latencies).toHaveLength(1);
    // The second batch committed while the first was followed: it was not sampled.
    stats.fannedOut('a', 13);
    await Promise.resolve();
    expect(latencies).toHaveLength(1);
    expect(batches).toEqual([3, 1]);
    expect(stats.counters()).toMatchObject({ broadcasts: 4, batches: 2 });
  });

  it("samples a batch whose notification came back before the write's own answer", () => {
    const stats = new FirehoseStats();
    const latencies: number[] = [];
    stats.observe({ deliveryLatency: (s) => latencies.push(s) });
    const startedAt = performance.now();
    // The LISTEN connection delivered ids 1 and 2 before the append's answer reached the batcher.
    stats.fannedOut('a', 1);
    stats.fannedOut('a', 2);
    stats.batchCommitted(2, 2, startedAt);
    expect(latencies).toHaveLength(1);
    expect(latencies[0]).toBeGreaterThanOrEqual(0);
    // The sample is over: the next batch is followed as usual.
    stats.batchCommitted(1, 3, performance.now());
    stats.fannedOut('a', 3);
  });
});

describe('FirehoseOperationsModule options', () => {
  it.each([
    [{ path: 'healthz' }, /path "healthz" must be a URL path/],
    [{ queueWarnThreshold: 50 }, /queueWarnThreshold must be a fraction between 0 and 1/],
    [{ queueWarnThreshold: 0 }, /queueWarnThreshold/],
    [{ queueWatchInterval: -1 }, /queueWatchInterval must be a non-negative integer/],
    [{ shutdownTimeout: 1.5 }, /shutdownTimeout must be a non-negative integer/],
    [{ metrics: 'yes' }, /metrics must be true or false/],
    [{ guards: [{}] }, /guards must be an array of guard classes/],
  ])('refuses %j when the module is imported', (options, message) => {
    expect(() => FirehoseOperationsModule.forRoot(options as never)).toThrow(OperationsConfigurationError);
    expect(() => FirehoseOperationsModule.forRoot(options as never)).toThrow(message);
  });

  it('serves no route with path: false', () => {
    expect(FirehoseOperationsModule.forRoot({ path: false }).controllers).toEqual([]);
    expect(FirehoseOperationsModule.forRoot().controllers).toHaveLength(1);
  });
});
