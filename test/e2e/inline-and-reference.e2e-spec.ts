import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { listenForNotifications, type NotifyListener } from '../utils/notify-listener.js';
import { collectLive, sleep, waitFor } from '../utils/collect.js';
import type { FirehoseEvent } from '../../lib/index.js';
import { NotifySignature } from '../../lib/listener/notify-signature.js';
import { NOTIFY_SIGNATURE_CHARS } from '../../lib/protocol/notify-payload.js';

/**
 * The NOTIFY payload of an event broadcast on its own, byte for byte as the append function builds
 * it: its signature, then a JSON array of the batch's events, here
 * `[{"id":…,"stream":…,"sequence":…,"channel_id":…,"data":…}]` inline, or the same head with
 * `,"ref":1}` instead of the data. An event goes inline iff it fits a notification of its own,
 * signature and brackets included, within notifyMaxBytes.
 */
function inlinePayload(id: number, stream: string, sequence: number, streamId: number, dataJson: string): string {
  return `${'S'.repeat(NOTIFY_SIGNATURE_CHARS)}[{"id":${id},"stream":${JSON.stringify(stream)},"sequence":${sequence},"channel_id":${streamId},"data":${dataJson}}]`;
}

/** The events a raw payload carries, past its signature. */
const eventsOf = (payload: string) => JSON.parse(payload.slice(NOTIFY_SIGNATURE_CHARS));

/** A string whose JSON makes the inline payload exactly `bytes` UTF-8 bytes, built from `unit` (plus ASCII padding). */
function dataForPayloadBytes(bytes: number, head: (dataJson: string) => string, unit = 'x'): string {
  const overhead = Buffer.byteLength(head('""'));
  const room = bytes - overhead;
  const unitBytes = Buffer.byteLength(unit);
  const data = unit.repeat(Math.floor(room / unitBytes)) + 'a'.repeat(room % unitBytes);
  expect(Buffer.byteLength(head(JSON.stringify(data)))).toBe(bytes);
  return data;
}

describe('inline and by-reference delivery', () => {
  let db: TestDatabase;
  let small: FirehoseTestApp;
  let standard: FirehoseTestApp;
  let raw: NotifyListener;
  let signature: NotifySignature;

  beforeAll(async () => {
    db = await createTestDatabase('inline_ref');
    // Retention above the interleave test's 200 events: a by-reference event trimmed before the
    // hub reads it back is a reset, which is right but not what that test is about.
    small = await createFirehoseApp({ url: db.url, firehose: { notifyMaxBytes: 500, cleanupThreshold: 1000 } });
    standard = await createFirehoseApp({ url: db.url });
    raw = await listenForNotifications(db.url, ['firehose']);
    const [{ key }] = await db.query('SELECT key FROM firehose_notify_key');
    signature = new NotifySignature(key);
  });
  afterAll(async () => {
    await raw?.close();
    await small?.close();
    await standard?.close();
    await db?.drop();
  });

  /** The id the next append will get, read from the id sequence (no other writer runs meanwhile). */
  async function nextId(): Promise<number> {
    const [row] = await db.query('SELECT last_value, is_called FROM firehose_messages_id_seq');
    return Number(row.last_value) + (row.is_called ? 1 : 0);
  }

  /**
   * The raw NOTIFY payload that carried event `id`, as seen by a plain LISTEN client, after checking
   * that SQL signed it as Node checks it (the UTF-8 bytes of multi-byte names and data included).
   */
  async function rawPayloadOf(id: number): Promise<string> {
    const find = () => raw.received.find((n) => (eventsOf(n.payload) as Array<{ id: number }>).some((e) => e.id === id));
    await waitFor(() => find() !== undefined, 5_000, `NOTIFY of event ${id}`);
    const { payload } = find()!;
    expect(signature.verify('firehose', payload)).toBe(payload.slice(NOTIFY_SIGNATURE_CHARS));
    return payload;
  }

  /** Event `id` as its notification carried it. */
  async function rawEventOf(id: number): Promise<Record<string, unknown>> {
    return (eventsOf(await rawPayloadOf(id)) as Array<Record<string, unknown>>).find((e) => e.id === id)!;
  }

  /**
   * Creates `stream` with one warm-up event (so its channel id is known), then broadcasts data
   * whose inline payload would be exactly `bytes` long, and returns what every observer saw.
   */
  async function broadcastSized(t: FirehoseTestApp, stream: string, bytes: number, unit = 'x') {
    const live = await collectLive(t.firehose, stream, 2, 5_000);
    const warmUp = await t.firehose.broadcast(stream, 'warm-up');
    const id = await nextId();
    const data = dataForPayloadBytes(bytes, (json) => inlinePayload(id, stream, 2, warmUp.streamId, json), unit);
    const event = await t.firehose.broadcast(stream, data);
    expect(event).toEqual({ id, stream, data, sequence: 2, streamId: warmUp.streamId });
    const [receivedWarmUp, received] = (await live.done) as FirehoseEvent[];
    expect(receivedWarmUp).toEqual(warmUp);
    const [row] = await db.query('SELECT id, sequence, channel_id, data::text AS json FROM firehose_messages WHERE id = $1', [id]);
    return { data, event, received, row, payload: await rawPayloadOf(id) };
  }

  it(`sends an event whose payload is exactly notifyMaxBytes (500) inline`, async () => {
    const { data, event, received, row, payload } = await broadcastSized(small, 'at-limit', 500);
    expect(Buffer.byteLength(payload)).toBe(500);
    expect(eventsOf(payload)[0]).toEqual({ id: event.id, stream: 'at-limit', sequence: 2, channel_id: event.streamId, data });
    expect(received).toEqual(event);
    expect(row).toEqual({ id: String(event.id), sequence: '2', channel_id: event.streamId, json: JSON.stringify(data) });
  });

  it('sends an event one byte under the limit inline', async () => {
    const { data, event, received, payload } = await broadcastSized(small, 'under-limit', 499);
    expect(Buffer.byteLength(payload)).toBe(499);
    expect(eventsOf(payload)[0].data).toBe(data);
    expect(received).toEqual(event);
  });

  it('sends an event one byte over the limit by reference, and delivers the same content', async () => {
    const { data, event, received, row, payload } = await broadcastSized(small, 'over-limit', 501);
    expect(payload.slice(NOTIFY_SIGNATURE_CHARS)).toBe(
      `[{"id":${event.id},"stream":"over-limit","sequence":2,"channel_id":${event.streamId},"ref":1}]`,
    );
    expect(received).toEqual(event);
    expect(received.data).toBe(data);
    expect(row).toEqual({ id: String(event.id), sequence: '2', channel_id: event.streamId, json: JSON.stringify(data) });
  });

  it('counts UTF-8 bytes, not characters, at the default limit of 7999', async () => {
    // '€' is 1 UTF-16 unit but 3 UTF-8 bytes: a character count would send both of these inline.
    const atLimit = await broadcastSized(standard, 'utf8-at-limit', 7999, '€');
    expect(atLimit.data.length).toBeLessThan(2700);
    expect(Buffer.byteLength(atLimit.payload)).toBe(7999);
    expect(eventsOf(atLimit.payload)[0].data).toBe(atLimit.data);
    expect(atLimit.received).toEqual(atLimit.event);
    expect(atLimit.row.json).toBe(JSON.stringify(atLimit.data));

    const overLimit = await broadcastSized(standard, 'utf8-over-limit', 8000, '€');
    expect(overLimit.data.length).toBeLessThan(2700);
    expect(eventsOf(overLimit.payload)[0]).toEqual({
      id: overLimit.event.id,
      stream: 'utf8-over-limit',
      sequence: 2,
      channel_id: overLimit.event.streamId,
      ref: 1,
    });
    expect(overLimit.received).toEqual(overLimit.event);
    expect(overLimit.received.data).toBe(overLimit.data);
    expect(overLimit.row.json).toBe(JSON.stringify(overLimit.data));
  });

  it('counts the bytes of a multi-byte stream name too', async () => {
    const stream = 'flux-ü-日本';
    const { data, event, received, payload } = await broadcastSized(small, stream, 500);
    expect(Buffer.byteLength(payload)).toBe(500);
    expect(eventsOf(payload)[0].data).toBe(data);
    expect(received).toEqual(event);
    const over = await broadcastSized(small, `${stream}-2`, 501);
    expect(eventsOf(over.payload)[0].ref).toBe(1);
    expect(over.received).toEqual(over.event);
  });

  it('keeps per-stream order when inline and by-reference events interleave', async () => {
    const stream = 'interleaved';
    const count = 200;
    const dataOf = (i: number) => (i % 2 === 0 ? { i, body: 'x'.repeat(600) } : { i });
    const live = await collectLive(small.firehose, stream, count, 15_000);
    const broadcasts: Promise<FirehoseEvent>[] = [];
    // Ten bursts of twenty, a macrotask apart, so the events span several group-commit batches.
    for (let burst = 0; burst < 10; burst++) {
      for (let j = 0; j < 20; j++) broadcasts.push(small.firehose.broadcast(stream, dataOf(burst * 20 + j + 1)));
      await sleep(0);
    }
    const events = await Promise.all(broadcasts);
    expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    const received = (await live.done) as FirehoseEvent[];
    expect(received.map((e) => e.sequence)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(received.map((e) => e.data)).toEqual(Array.from({ length: count }, (_, i) => dataOf(i + 1)));
    expect(received).toEqual(events);
    // Both paths were really taken, alternately.
    const kinds = await Promise.all(events.map(async (e) => ('ref' in (await rawEventOf(e.id)) ? 'ref' : 'inline')));
    expect(kinds).toEqual(Array.from({ length: count }, (_, i) => (i % 2 === 0 ? 'inline' : 'ref')));
  });
  it('packs a batch into as few notifications as fit the limit, in id order, each within it', async () => {
    const stream = 'packed';
    const live = await collectLive(small.firehose, stream, 40, 10_000);
    const before = raw.received.length;
    // Issued in one turn, so they form one group-commit batch.
    const events = await Promise.all(Array.from({ length: 40 }, (_, i) => small.firehose.broadcast(stream, { i, pad: 'y'.repeat(40) })));
    expect(new Set(events.map((e) => e.id)).size).toBe(40);
    await waitFor(() => raw.received.slice(before).flatMap((n) => eventsOf(n.payload)).length >= 40, 5_000, 'all 40 notified');
    const notifications = raw.received.slice(before);
    const notified = notifications.flatMap((n) => eventsOf(n.payload) as Array<{ id: number; data: unknown }>);
    expect(notified.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(notified.map((e) => e.data)).toEqual(events.map((e) => e.data));
    for (const n of notifications) {
      expect(Buffer.byteLength(n.payload)).toBeLessThanOrEqual(500);
      expect(signature.verify('firehose', n.payload)).toBeDefined();
    }
    // Greedy packing, as the append function does it: far fewer notifications than events.
    let expected = 0;
    let chunk = 0;
    for (const e of events) {
      const bytes =
        Buffer.byteLength(inlinePayload(e.id, stream, e.sequence, e.streamId, JSON.stringify(e.data))) - 2 - NOTIFY_SIGNATURE_CHARS;
      if (chunk > 0 && chunk + bytes + 2 <= 500 - NOTIFY_SIGNATURE_CHARS) chunk += bytes + 1;
      else {
        expected++;
        chunk = bytes + 1;
      }
    }
    expect(notifications.length).toBe(expected);
    expect(expected).toBeLessThan(15);
    expect(((await live.done) as FirehoseEvent[]).map((e) => e.sequence)).toEqual(events.map((e) => e.sequence));
  });
});
