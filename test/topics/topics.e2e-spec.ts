import { AllowAllTopicsAuthorizer } from '../../lib/index.js';
import { waitFor } from '../utils/collect.js';
import { openSse, type SseConnection } from '../utils/sse-client.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { createTopicsTestApp, type TopicsTestApp } from './topics-test-app.js';

describe('ephemeral topics across two instances', () => {
  let db: TestDatabase;
  let a: TopicsTestApp;
  let b: TopicsTestApp;
  const open: SseConnection[] = [];

  const subscribe = async (app: TopicsTestApp, topic: string) => {
    const sse = await openSse(app.url(topic));
    open.push(sse);
    expect(sse.status).toBe(200);
    // The retry hint is the first frame: once it is in, the subscriber is registered.
    await waitFor(() => sse.frames.length > 0, 5000, 'the opening frame');
    return sse;
  };
  const messages = (sse: SseConnection) => sse.dataFrames().map((frame) => JSON.parse(frame.data!));

  beforeAll(async () => {
    db = await createTestDatabase('topics_two');
    const topics = { authorizer: AllowAllTopicsAuthorizer, heartbeatInterval: 200 };
    // One after the other: the first applies the migrations.
    a = await createTopicsTestApp(db.url, topics);
    b = await createTopicsTestApp(db.url, topics);
  });
  afterEach(() => {
    for (const sse of open.splice(0)) sse.close();
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await db?.drop();
  });

  it('delivers a message posted to one instance to the subscribers of both, as `event: message` frames', async () => {
    const onA = await subscribe(a, 'room-1');
    const onB = await subscribe(b, 'room-1');
    const answer = await a.post('room-1', { data: { x: 1, name: 'ada' } });
    expect(answer).toEqual({ status: 200, body: { topic: 'room-1', data: { x: 1, name: 'ada' } } });
    for (const sse of [onA, onB]) {
      const [frame] = await sse.waitForDataFrames(1);
      expect(frame.event).toBe('message');
      expect(frame.id).toBeUndefined();
      expect(frame.data).toBe('{"x":1,"name":"ada"}');
      expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(sse.headers['content-encoding']).toBeUndefined();
    }
  });

  it('sends publish() from server code to every subscriber, and nothing of other topics', async () => {
    const onB = await subscribe(b, 'room-2');
    const other = await subscribe(b, 'room-3');
    await a.topics.publish('room-2', [1, 'two', null]);
    await a.topics.publish('room-3', 'three');
    expect(messages(await waitForCount(onB, 1))).toEqual([[1, 'two', null]]);
    expect(messages(await waitForCount(other, 1))).toEqual(['three']);
  });

  it('opens with the retry hint, then sends comment heartbeats at the configured interval', async () => {
    const sse = await subscribe(a, 'quiet');
    expect(sse.frames[0].retry).toBe(3000);
    await waitFor(() => sse.frames.some((frame) => frame.comments.includes('heartbeat')), 3000, 'a heartbeat');
  });

  it('keeps nothing: a subscriber gets only what is published after it connected', async () => {
    await a.topics.publish('late', { n: 1 });
    const sse = await subscribe(b, 'late');
    await a.topics.publish('late', { n: 2 });
    await sse.waitForDataFrames(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(messages(sse)).toEqual([{ n: 2 }]);
  });

  it('counts subscribers and deliveries per topic in stats()', async () => {
    const sse = await subscribe(b, 'counted');
    await a.topics.publish('counted', 1);
    await a.topics.publish('counted', 2);
    await sse.waitForDataFrames(2);
    const stats = b.topics.stats();
    expect(stats.topics.find((topic) => topic.topic === 'counted')).toEqual({
      topic: 'counted',
      subscribers: 1,
      ringDepth: 0,
      delivered: 2,
      dropped: 0,
      droppedSubscribers: 0,
    });
    expect(a.topics.stats().totals.published).toBeGreaterThanOrEqual(2);
    sse.close();
    await waitFor(() => !b.topics.stats().topics.some((topic) => topic.topic === 'counted'), 5000, 'the topic to be released');
  });
});

async function waitForCount(sse: SseConnection, count: number) {
  await sse.waitForDataFrames(count);
  return sse;
}
