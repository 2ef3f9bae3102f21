import { AllowAllStreamsAuthorizer, AllowAllTopicsAuthorizer } from '../../lib/index.js';
import { waitFor } from '../utils/collect.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { type GzipSseReader, openGzipSse } from './gzip-sse-reader.js';
import { createTopicsTestApp, type TopicsTestApp } from './topics-test-app.js';

const GZIP = { 'accept-encoding': 'gzip, deflate, br' };

describe('gzip-compressed SSE responses', () => {
  let db: TestDatabase;
  /** sseCompression on, for the Firehose SSE route and for topics. */
  let on: TopicsTestApp;
  /** Both off: the default. */
  let off: TopicsTestApp;
  const open: GzipSseReader[] = [];

  const connect = async (url: string, headers: Record<string, string> = GZIP) => {
    const reader = await openGzipSse(url, headers);
    open.push(reader);
    expect(reader.status).toBe(200);
    await reader.waitForText('retry:');
    return reader;
  };

  beforeAll(async () => {
    db = await createTestDatabase('topics_gzip');
    on = await createTopicsTestApp(
      db.url,
      { authorizer: AllowAllTopicsAuthorizer, sseCompression: true },
      { firehose: { authorizer: AllowAllStreamsAuthorizer, sseCompression: true } },
    );
    off = await createTopicsTestApp(
      db.url,
      { authorizer: AllowAllTopicsAuthorizer },
      { firehose: { authorizer: AllowAllStreamsAuthorizer } },
    );
  });
  afterEach(() => {
    for (const reader of open.splice(0)) reader.close();
  });
  afterAll(async () => {
    await Promise.all([on?.close(), off?.close()]);
    await db?.drop();
  });

  it('compresses a topic stream for a client that accepts gzip, each message decodable as soon as it is sent', async () => {
    const sse = await connect(on.url('zipped'));
    expect(sse.headers['content-encoding']).toBe('gzip');
    expect(sse.headers.vary).toBe('Accept-Encoding');
    expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
    // One at a time: message n must be readable before message n + 1 is even published.
    for (let n = 1; n <= 5; n++) {
      await on.topics.publish('zipped', { n, text: 'the same words compress well, the same words compress well' });
      await sse.waitForText(`data: {"n":${n},`);
      expect(sse.text()).not.toContain(`"n":${n + 1},`);
    }
    const frames = sse
      .text()
      .split('\n\n')
      .filter((frame) => frame.startsWith('event: message'));
    expect(frames).toHaveLength(5);
  });

  it('compresses the Firehose SSE route the same way, event by event', async () => {
    const sse = await connect(`${on.baseUrl}/firehose/sse?streams=zipped-stream`);
    expect(sse.headers['content-encoding']).toBe('gzip');
    for (let n = 1; n <= 3; n++) {
      const event = await on.firehose.broadcast('zipped-stream', { n });
      await sse.waitForText(`id: ${event.id}\nevent: zipped-stream\ndata: {"data":{"n":${n}}`);
    }
  });

  it('sends plain text to a client that does not accept gzip, and when compression is off', async () => {
    const plainTopic = await connect(on.url('plain'), {});
    const offTopic = await connect(off.url('plain'));
    const offStream = await connect(`${off.baseUrl}/firehose/sse?streams=plain-stream`);
    for (const sse of [plainTopic, offTopic, offStream]) expect(sse.headers['content-encoding']).toBeUndefined();
    await on.topics.publish('plain', { plain: true });
    await off.firehose.broadcast('plain-stream', { plain: true });
    await plainTopic.waitForText('data: {"plain":true}');
    await offTopic.waitForText('data: {"plain":true}');
    await offStream.waitForText('{"data":{"plain":true}');
  });

  it('ends a compressed stream with the gzip trailer at shutdown, a complete body', async () => {
    const closing = await createTopicsTestApp(
      db.url,
      { authorizer: AllowAllTopicsAuthorizer, sseCompression: true },
      { firehose: { authorizer: AllowAllStreamsAuthorizer, sseCompression: true } },
    );
    const topic = await connect(closing.url('closing'));
    const stream = await connect(`${closing.baseUrl}/firehose/sse?streams=closing`);
    await closing.topics.publish('closing', { last: true });
    await topic.waitForText('{"last":true}');
    await closing.close();
    await Promise.all([topic.ended, stream.ended]);
    await waitFor(() => topic.completeText().includes('{"last":true}'), 2000, 'a complete topic body');
    expect(stream.completeText()).toContain('retry:');
  });
});
