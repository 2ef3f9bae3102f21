import { AllowAllTopicsAuthorizer } from '../../lib/index.js';
import { waitFor } from '../utils/collect.js';
import { openSse, type SseConnection } from '../utils/sse-client.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { createTopicsTestApp, type TopicsTestApp } from './topics-test-app.js';

describe('topic delivery: order, bursts and slow subscribers', () => {
  let db: TestDatabase;
  /** Publishes. */
  let publisher: TopicsTestApp;
  /** Subscribes, with a small pending bound. */
  let receiver: TopicsTestApp;
  /** Subscribes, with a small ring. */
  let smallRing: TopicsTestApp;
  const open: SseConnection[] = [];

  const subscribe = async (topic: string, app = receiver) => {
    const sse = await openSse(app.url(topic));
    open.push(sse);
    expect(sse.status).toBe(200);
    await waitFor(() => sse.frames.length > 0, 5000, 'the opening frame');
    return sse;
  };
  const numbers = (sse: SseConnection) => sse.dataFrames().map((frame) => JSON.parse(frame.data!).i as number);
  const topicStats = (topic: string, app = receiver) => app.topics.stats().topics.find((stats) => stats.topic === topic)!;

  beforeAll(async () => {
    db = await createTestDatabase('topics_delivery');
    publisher = await createTopicsTestApp(db.url, { authorizer: AllowAllTopicsAuthorizer });
    receiver = await createTopicsTestApp(
      db.url,
      { authorizer: AllowAllTopicsAuthorizer, maxPendingBytes: 64 * 1024 },
      // The module warns when it drops a subscriber; that is the expected outcome of one test here.
      { logger: ['error'] },
    );
    smallRing = await createTopicsTestApp(db.url, { authorizer: AllowAllTopicsAuthorizer, ringCapacity: 32 });
  });
  afterEach(() => {
    for (const sse of open.splice(0)) sse.close();
  });
  afterAll(async () => {
    await Promise.all([publisher?.close(), receiver?.close(), smallRing?.close()]);
    await db?.drop();
  });

  it('keeps the order of each topic under concurrent publishes from one process, across shards', async () => {
    const topics = Array.from({ length: 8 }, (_, t) => `order-${t}`);
    const subscribers = await Promise.all(topics.map((topic) => subscribe(topic)));
    // Every publish is issued before any has committed: interleaved over topics, all in flight at once.
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 25; i++) for (const topic of topics) sends.push(publisher.topics.publish(topic, { i }));
    await Promise.all(sends);
    for (const sse of subscribers) {
      await sse.waitForDataFrames(25);
      expect(numbers(sse)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    }
  });

  it('drops the oldest messages of a burst larger than the ring, and counts them', async () => {
    const sse = await subscribe('burst', smallRing);
    const total = 300;
    await Promise.all(Array.from({ length: total }, (_, i) => publisher.topics.publish('burst', { i })));
    // The newest message is never the one dropped.
    await waitFor(() => numbers(sse).includes(total - 1), 15_000, 'the last message of the burst');
    const got = numbers(sse);
    const { dropped, delivered } = topicStats('burst', smallRing);
    expect(dropped).toBeGreaterThan(0);
    expect(got.length + dropped).toBe(total);
    expect(delivered).toBe(got.length);
    // What is left is in order, and what went missing went in runs before what was kept.
    expect(got).toEqual([...got].sort((x, y) => x - y));
    expect(smallRing.topics.stats().totals.dropped).toBe(dropped);
  });

  it('hangs up on a subscriber that does not read, while a reading one gets every message', async () => {
    const server = receiver.app.getHttpServer();
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error: Error | null, count: number) => (error ? reject(error) : resolve(count))),
      );
    const stalled = await subscribe('slow');
    const healthy = await subscribe('slow');
    stalled.pause();
    // Enough to fill both loopback socket buffers (a few MB), then the 64 KB bound.
    const payload = 'x'.repeat(7000);
    let sent = 0;
    while ((await connections()) === 2 && sent < 4000) {
      await Promise.all(Array.from({ length: 20 }, () => publisher.topics.publish('slow', { i: sent++, payload })));
    }
    await waitFor(async () => (await connections()) === 1, 10_000, 'the stalled subscriber to be dropped');
    // Sent after the hang-up: certain to be missed by the stalled subscriber.
    for (let n = 0; n < 20; n++) await publisher.topics.publish('slow', { i: sent++, payload });
    await healthy.waitForDataFrames(sent, 30_000);
    expect(numbers(healthy)).toEqual(Array.from({ length: sent }, (_, i) => i));
    expect(healthy.isEnded).toBe(false);
    expect(topicStats('slow')).toMatchObject({ subscribers: 1, droppedSubscribers: 1, dropped: 0 });
    stalled.resume();
    await stalled.ended;
    expect(numbers(stalled).length).toBeLessThan(sent);
  }, 90_000);
});
