import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import pg from 'pg';
import {
  AllowAllDurableStreamsAuthorizer,
  AllowAllStreamsAuthorizer,
  AllowAllTopicsAuthorizer,
  FirehoseTopicsModule,
  FirehoseTopicsService,
  OnFirehose,
  type FirehoseEvent,
} from '../../lib/index.js';
import { CapturingLogger } from '../utils/capturing-logger.js';
import { collectLive, waitFor } from '../utils/collect.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { listenForNotifications, type NotifyListener } from '../utils/notify-listener.js';
import { openSse } from '../utils/sse-client.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs } from '../utils/ws-client.js';

const STREAM = 'forged-target';
const NOTIFY_MAX_BYTES = 1000;

@Injectable()
class Recorder {
  readonly events: FirehoseEvent[] = [];

  @OnFirehose(STREAM)
  on(event: FirehoseEvent): void {
    this.events.push(event);
  }
}

/** The JSON array of an event notification, whatever precedes it. */
const eventBody = (payload: string) => payload.slice(payload.indexOf('['));
const signatureWarnings = (logger: CapturingLogger, channel: string) =>
  logger.messages('warn').filter((m) => m.includes(`"${channel}"`) && /signature/.test(m));

/**
 * Any role that can connect may NOTIFY on any channel, and LISTEN to copy what the module sends.
 * A role with no privilege on the module's tables must neither put an event or a queue message in
 * front of a consumer nor stop the real ones.
 */
describe('Notifications forged by a role without privileges', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  let forger: pg.Client;
  let raw: NotifyListener;
  const role = `firehose_forger_${randomBytes(4).toString('hex')}`;
  const logger = new CapturingLogger();

  const forge = async (channel: string, payloads: string[]) => {
    for (const payload of payloads) await forger.query('SELECT pg_notify($1, $2)', [channel, payload]);
  };
  /** The raw payload a plain LISTEN client saw on `channel` that contains `marker`. */
  const rawPayload = async (channel: string, marker: string) => {
    const find = () => raw.received.find((n) => n.channel === channel && n.payload.includes(marker));
    await waitFor(() => find() !== undefined, 5_000, `the notification carrying ${marker}`);
    return find()!.payload;
  };

  beforeAll(async () => {
    db = await createTestDatabase('forged_notify');
    t = await createFirehoseHttpApp({
      url: db.url,
      firehose: { authorizer: AllowAllStreamsAuthorizer, notifyMaxBytes: NOTIFY_MAX_BYTES },
      changeFeeds: true,
      durableStreams: { authorizer: AllowAllDurableStreamsAuthorizer },
      providers: [Recorder],
      imports: [FirehoseTopicsModule.forRoot({ authorizer: AllowAllTopicsAuthorizer, shards: 1 })],
      logger,
    });
    // A role like any other that may connect: no grant on any of the module's tables.
    const password = randomBytes(12).toString('hex');
    await db.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    const url = new URL(db.url);
    url.username = role;
    url.password = password;
    forger = new pg.Client({ connectionString: url.toString() });
    await forger.connect();
    raw = await listenForNotifications(db.url, ['firehose', 'firehose_queue', 'firehose_topic_0']);
  });
  afterAll(async () => {
    await forger?.end().catch(() => undefined);
    await raw?.close();
    await t?.close();
    await db?.drop();
    // Roles belong to the cluster, not to the test's database.
    const admin = new pg.Client({ connectionString: process.env.FIREHOSE_TEST_DATABASE_URL ?? process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  it('can NOTIFY, but can neither read the signing key nor append', async () => {
    await forger.query(`SELECT pg_notify('firehose', 'hello')`);
    await expect(forger.query('SELECT * FROM firehose_notify_key')).rejects.toThrow(/permission denied/);
    await expect(forger.query(`SELECT * FROM firehose_append(ARRAY['x'], ARRAY['1'], 'firehose', 1000)`)).rejects.toThrow(
      /permission denied/,
    );
  });

  it('reaches no WebSocket, SSE or @OnFirehose consumer, and every real event after it still arrives in order', async () => {
    const ws = await openWs(`${t.wsUrl}/firehose`);
    const sse = await openSse(`${t.baseUrl}/firehose/sse?streams=${STREAM}`);
    try {
      ws.send({ command: 'subscribe', streams: [STREAM] });
      await ws.waitForControl('subscribed');
      const recorder = t.app.get(Recorder);
      const first = await t.firehose.broadcast(STREAM, { n: 1 });
      await ws.waitForEvents(1);
      await sse.waitForDataFrames(1);
      await waitFor(() => recorder.events.length === 1, 5_000, 'the first event at the handler');
      const real = await rawPayload('firehose', `"id":${first.id},`);
      const next = first.id + 1;
      const sameShape = (id: number, data: string) => real.replace(`"id":${first.id},`, `"id":${id},`).replace('{"n":1}', data);

      await forge('firehose', [
        // The exact shape of a real payload (whatever it carries besides the events), with a high id.
        sameShape(900_000_000, '{"forged":"high id"}'),
        // The same without anything but the JSON, as the module sent before payloads were signed.
        eventBody(sameShape(900_000_001, '{"forged":"bare"}')),
        // The id the next real event will get, to take its place.
        sameShape(next, '{"forged":"next id"}'),
        eventBody(sameShape(next, '{"forged":"next id, bare"}')),
        // By reference: the hub would look it up, miss it and tell subscribers history was trimmed.
        eventBody(real)
          .replace(/"data":\{"n":1\}/, '"ref":1')
          .replace(`"id":${first.id},`, '"id":900000002,'),
        // A real payload again, unchanged: it must not be delivered twice.
        real,
        '',
        'garbage',
        '[',
        `${'A'.repeat(22)}[{"id":900000003,"stream":"${STREAM}","sequence":9,"channel_id":1,"data":1}]`,
        'x'.repeat(7_000),
      ]);

      // Real events after the forgeries: one alone, a batch, and one too large to travel inline.
      const second = await t.firehose.broadcast(STREAM, { n: 2 });
      const [third, fourth] = await Promise.all([t.firehose.broadcast(STREAM, { n: 3 }), t.firehose.broadcast(STREAM, { n: 4 })]);
      const fifth = await t.firehose.broadcast(STREAM, { n: 5, big: 'b'.repeat(NOTIFY_MAX_BYTES) });
      const sixth = await t.firehose.broadcast(STREAM, { n: 6 });
      const expected = [first, second, third, fourth, fifth, sixth];
      expect(second.id).toBe(next);

      await waitFor(() => recorder.events.length >= 6 && ws.events().length >= 6 && sse.dataFrames().length >= 6, 10_000, 'six events');
      // Anything forged was sent before the real events, so it would have arrived by now.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(recorder.events).toEqual(expected);
      expect(ws.events().map((e) => [e.id, e.data])).toEqual(expected.map((e) => [e.id, e.data]));
      expect(ws.control('reset')).toEqual([]);
      expect(sse.dataFrames().map((f) => [Number(f.id), JSON.parse(f.data!).data])).toEqual(expected.map((e) => [e.id, e.data]));
      // One WARN line for the whole burst, not one per forged payload.
      expect(signatureWarnings(logger, 'firehose')).toHaveLength(1);
    } finally {
      ws.close();
      sse.close();
    }
  });

  it('reaches no queue handle, and every real message after it still arrives in order', async () => {
    const queue = t.firehose.queue<{ n: number }>('jobs');
    try {
      await queue.push({ n: 1 });
      expect(await queue.pop({ timeout: 5_000 })).toEqual({ n: 1 });
      const real = await rawPayload('firehose_queue', '{"n":1}');
      await forge('firehose_queue', [
        '{"q":"jobs","m":{"n":666}}',
        real.replace('{"n":1}', '{"n":667}'),
        // A real message again, unchanged: a queue has no id to drop it by, so the signature must.
        real,
        'garbage',
        `${'A'.repeat(22)}{"q":"jobs","m":{"n":668}}`,
      ]);
      // A real payload of the other channel: the channel is signed with it, so it is worthless here.
      const realEvent = raw.received.find((n) => n.channel === 'firehose')!.payload;
      await forge('firehose_queue', [realEvent]);
      await forge('firehose', [real]);
      await queue.push({ n: 2 });
      await queue.push({ n: 3 });
      expect(await queue.pop({ timeout: 5_000 })).toEqual({ n: 2 });
      expect(await queue.pop({ timeout: 5_000 })).toEqual({ n: 3 });
      await expect(queue.pop({ timeout: 300 })).rejects.toMatchObject({ name: 'FirehoseQueueTimeoutError' });
      expect(signatureWarnings(logger, 'firehose_queue')).toHaveLength(1);
      expect(logger.messages('warn').filter((m) => /arrived again/.test(m))).toHaveLength(1);
      // Nothing forged got as far as the parsers behind the signature check.
      expect(logger.messages('warn').filter((m) => m.startsWith('Ignored'))).toEqual([]);
    } finally {
      queue.close();
    }
  });

  // These channels carry no data, only "look at your table": a forged wake-up costs a read.
  it('wakes a change-feed relay or a Durable Streams reader at most for a read: nothing skipped, added or held up', async () => {
    await db.query('CREATE TABLE forged_items (id serial PRIMARY KEY, name text NOT NULL)');
    const stream = await t.changeFeeds.enable('public', 'forged_items');
    const changes = await collectLive(t.firehose, stream, 2, 10_000);
    await forge('firehose_changes', ['', 'wake', '[{"id":900000000}]']);
    await db.query(`INSERT INTO forged_items (name) VALUES ('one')`);
    await forge('firehose_changes', ['']);
    await db.query(`INSERT INTO forged_items (name) VALUES ('two')`);
    const received = (await changes.done) as FirehoseEvent<{ record: { name: string } }>[];
    expect(received.map((e) => e.data.record.name)).toEqual(['one', 'two']);
    expect(received.map((e) => e.sequence)).toEqual([1, 2]);

    const url = `${t.baseUrl}/v1/stream/forged-wake`;
    await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' } });
    const tail = (await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'one' })).headers.get(
      'stream-next-offset',
    )!;
    const [{ id }] = await db.query(`SELECT id FROM firehose_ds_streams WHERE path LIKE '%forged-wake'`);
    let answered = false;
    const poll = fetch(`${url}?offset=${tail}&live=long-poll`).finally(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await forge('firehose_ds', [String(id), String(id), 'garbage', '']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Woken, the reader found nothing new and went on waiting: no early, empty answer.
    expect(answered).toBe(false);
    await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'two' });
    const response = await poll;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('two');
  });

  it('puts no topic message in front of a subscriber: neither an unsigned one nor a signed one sent again', async () => {
    const subscriber = await openSse(`${t.baseUrl}/topics/forged-topic/events`);
    try {
      expect(subscriber.status).toBe(200);
      const topics = t.app.get(FirehoseTopicsService);
      await topics.publish('forged-topic', { n: 1, marker: 'topic-first' });
      const real = await rawPayload('firehose_topic_0', 'topic-first');
      const header = real.slice(real.indexOf(' ') - 8, real.indexOf('\n'));
      await forge('firehose_topic_0', [
        // The format exactly, unsigned, and with a signature copied from a real payload.
        `zzzzzzzz 1 ${Date.now().toString(36)} forged-topic\n{"n":666}`,
        `${real.slice(0, 22)}zzzzzzzz 1 ${Date.now().toString(36)} forged-topic\n{"n":666}`,
        // A real payload sent again unchanged.
        real,
        `garbage ${header}`,
      ]);
      await topics.publish('forged-topic', { n: 2, marker: 'topic-second' });
      await subscriber.waitForDataFrames(2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(subscriber.dataFrames().map((frame) => JSON.parse(frame.data!).n)).toEqual([1, 2]);
    } finally {
      subscriber.close();
    }
  });
});
