import type { FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { sleep, waitFor } from '../utils/collect.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs, type WsTestClient } from '../utils/ws-client.js';
import { createFluxbaseApp } from './fluxbase-fixtures.js';

const KEEP = 5;

/** Beyond Fluxbase, which has no history: `last_event_id` in a subscribe resumes a channel. */
describe('Fluxbase realtime: resuming a channel with last_event_id', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  const open: WsTestClient[] = [];

  const connect = async () => {
    const client = await openWs(`${t.wsUrl}/realtime`);
    open.push(client);
    return client;
  };
  const broadcasts = (client: WsTestClient) => client.frames.filter((frame) => frame.type === 'broadcast');
  const rowIds = (client: WsTestClient) => broadcasts(client).map((frame) => frame.payload.record.id as number);

  beforeAll(async () => {
    db = await createTestDatabase('fluxbase_resume');
    // Only an explicit cleanup() trims in these tests.
    t = await createFluxbaseApp(db.url, { firehose: { cleanupThreshold: KEEP, cleanupInterval: 600_000 } });
    await db.query('CREATE TABLE readings (id int PRIMARY KEY, value int NOT NULL)');
    await db.query(`SELECT enable_realtime('public', 'readings')`);
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('replays what a client missed, then goes live, with no gap and no duplicate while rows keep coming', async () => {
    const first = await connect();
    first.send({ type: 'subscribe', channel: 'table:public.readings' });
    await first.waitForControl('ack');
    for (let id = 1; id <= 3; id++) await db.query('INSERT INTO readings VALUES ($1, $1)', [id]);
    await first.waitForControl('broadcast', 3);
    const cursor = broadcasts(first).at(-1)!.id;
    first.close();
    await first.closed;

    // Writes go on, one transaction each, before, during and after the resumed subscription's
    // switch from replay to live.
    let writing = true;
    let next = 4;
    const writer = (async () => {
      while (writing || next <= 40) {
        await db.query('INSERT INTO readings VALUES ($1, $1)', [next++]);
        if (next > 400) break;
      }
    })();
    await waitFor(() => next > 15, 10_000, 'rows written while disconnected');
    const again = await connect();
    again.send({ type: 'subscribe', channel: 'table:public.readings', last_event_id: cursor });
    await again.waitForControl('ack');
    const ackAt = again.frames.findIndex((frame) => frame.type === 'ack');
    await sleep(100);
    writing = false;
    await writer;
    const last = next - 1;
    await again.waitForFrames((frame) => frame.type === 'broadcast' && frame.payload.record.id === last, 1, 15_000);

    // Every row after the cursor, each once, in commit order; the replayed ones before the ack.
    expect(rowIds(again)).toEqual(Array.from({ length: last - 3 }, (_, i) => i + 4));
    const ids = broadcasts(again).map((frame) => frame.id);
    expect(ids.every((id, i) => id > cursor && (i === 0 || id > ids[i - 1]))).toBe(true);
    expect(ackAt).toBeGreaterThan(0);
    expect(again.frames.slice(0, ackAt).every((frame) => frame.type === 'broadcast')).toBe(true);
    expect(again.frames.filter((frame) => frame.type === 'ack')).toHaveLength(1);
  });

  it('takes last_event_id as digits in a string too, and starts a channel already read over from it', async () => {
    const events = [];
    for (let n = 1; n <= 4; n++) events.push(await t.firehose.broadcast('scores', { n }));
    const client = await connect();
    client.send({ type: 'subscribe', channel: 'scores', last_event_id: String(events[1].id) });
    await client.waitForControl('ack');
    expect(broadcasts(client).map((frame) => frame.payload)).toEqual([{ n: 3 }, { n: 4 }]);
    client.send({ type: 'subscribe', channel: 'scores', last_event_id: events[0].id });
    await client.waitForControl('ack', 2);
    expect(broadcasts(client).map((frame) => frame.payload)).toEqual([{ n: 3 }, { n: 4 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    const live = await t.firehose.broadcast('scores', { n: 5 });
    await client.waitForControl('broadcast', 6);
    await sleep(100);
    // Live events come once, from the subscription that took the channel over.
    expect(broadcasts(client).slice(5)).toEqual([{ type: 'broadcast', channel: 'scores', payload: { n: 5 }, id: live.id }]);
  });

  it('sends a reset frame instead of a partial replay when the history after last_event_id was trimmed', async () => {
    const events = await Promise.all(Array.from({ length: 20 }, (_, i) => t.firehose.broadcast('trimmed', { n: i + 1 })));
    await t.firehose.cleanup();
    const client = await connect();
    client.send({ type: 'subscribe', channel: 'trimmed', last_event_id: events[1].id });
    await client.waitForControl('ack');
    expect(client.frames).toEqual([
      { type: 'reset', channel: 'trimmed', last_event_id: events[19].id, reason: 'history-trimmed' },
      { type: 'ack', channel: 'trimmed' },
    ]);
    expect(client.texts[0]).toBe(`{"type":"reset","channel":"trimmed","last_event_id":${events[19].id},"reason":"history-trimmed"}`);
    const live = await t.firehose.broadcast('trimmed', { n: 21 });
    await client.waitForControl('broadcast');
    expect(broadcasts(client)).toEqual([{ type: 'broadcast', channel: 'trimmed', payload: { n: 21 }, id: live.id }]);

    // A cursor inside the kept window replays the rest, with no reset.
    const inside = await connect();
    inside.send({ type: 'subscribe', channel: 'trimmed', last_event_id: events[16].id });
    await inside.waitForControl('ack');
    expect(broadcasts(inside).map((frame) => frame.payload)).toEqual([{ n: 18 }, { n: 19 }, { n: 20 }, { n: 21 }]);
    expect(inside.control('reset')).toEqual([]);
  });

  it('sends a cursor-ahead reset for a last_event_id beyond the log (another database, a restore)', async () => {
    const event = await t.firehose.broadcast('ahead', 'x');
    const client = await connect();
    client.send({ type: 'subscribe', channel: 'ahead', last_event_id: event.id + 1_000_000 });
    await client.waitForControl('ack');
    expect(client.frames[0]).toEqual({ type: 'reset', channel: 'ahead', last_event_id: expect.any(Number), reason: 'cursor-ahead' });
  });
});
