import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { collect, collectLive } from '../utils/collect.js';
import type { FirehoseEvent } from '../../lib/index.js';

class Rollback extends Error {}

describe('broadcast inside a caller transaction ({ manager })', () => {
  let db: TestDatabase;
  let t: FirehoseTestApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('tx_broadcast');
    t = await createFirehoseApp({ url: db.url });
    dataSource = t.app.get(DataSource);
    await db.query('CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL)');
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const storedSequences = async (stream: string) =>
    (
      await db.query(
        'SELECT m.sequence FROM firehose_messages m JOIN firehose_channels c ON c.id = m.channel_id WHERE c.name = $1 ORDER BY m.id',
        [stream],
      )
    ).map((row) => Number(row.sequence));

  /** Writes an order and broadcasts it in one transaction; `fail` makes the transaction roll back after the broadcast. */
  function orderAndBroadcast(stream: string, item: string, fail = false): Promise<FirehoseEvent> {
    return dataSource.transaction(async (manager) => {
      await manager.query('INSERT INTO orders (item) VALUES ($1)', [item]);
      const event = await t.firehose.broadcast(stream, { item }, { manager });
      if (fail) throw new Rollback(`rolling back ${item}`);
      return event;
    });
  }

  it('on commit, stores the event with the caller’s writes and delivers it live', async () => {
    const live = await collectLive(t.firehose, 'tx-commit', 1, 5_000);
    const event = await orderAndBroadcast('tx-commit', 'apple');
    expect(event).toEqual({ id: expect.any(Number), stream: 'tx-commit', data: { item: 'apple' }, sequence: 1, channelId: expect.any(Number) });
    expect(await live.done).toEqual([event]);
    expect(await db.query('SELECT id, sequence, data FROM firehose_messages WHERE id = $1', [event.id])).toEqual([
      { id: String(event.id), sequence: '1', data: { item: 'apple' } },
    ]);
    expect(await db.query("SELECT item FROM orders WHERE item = 'apple'")).toEqual([{ item: 'apple' }]);
  });

  it('on rollback, stores and delivers nothing, and the stream’s next sequence has no hole', async () => {
    const live = await collectLive(t.firehose, 'tx-rollback', 2, 5_000);
    const first = await orderAndBroadcast('tx-rollback', 'pear');
    expect(first.sequence).toBe(1);

    await expect(orderAndBroadcast('tx-rollback', 'plum', true)).rejects.toThrow(Rollback);
    // Not delivered: `live` is closed once it holds two events, and the second is the later commit below.
    expect(await storedSequences('tx-rollback')).toEqual([1]);
    expect(await db.query("SELECT item FROM orders WHERE item = 'plum'")).toEqual([]);
    const [channel] = await db.query("SELECT sequence FROM firehose_channels WHERE name = 'tx-rollback'");
    expect(channel).toEqual({ sequence: '1' });

    const next = await orderAndBroadcast('tx-rollback', 'quince');
    expect(next.sequence).toBe(2);
    expect(await live.done).toEqual([first, next]);
    expect(await storedSequences('tx-rollback')).toEqual([1, 2]);
  });

  it('a rolled-back first broadcast does not create the stream; the next one gets sequence 1', async () => {
    const live = await collectLive(t.firehose, 'tx-new-stream', 1, 5_000);
    await expect(orderAndBroadcast('tx-new-stream', 'fig', true)).rejects.toThrow(Rollback);
    // Not delivered: the one event `live` takes is the later commit below.
    expect(await db.query("SELECT name FROM firehose_channels WHERE name = 'tx-new-stream'")).toEqual([]);

    const next = await orderAndBroadcast('tx-new-stream', 'grape');
    expect(next.sequence).toBe(1);
    expect(await live.done).toEqual([next]);
  });

  it('a replay after a rollback shows no trace of the rolled-back event', async () => {
    const before = await orderAndBroadcast('tx-replay', 'kiwi');
    await expect(orderAndBroadcast('tx-replay', 'lime', true)).rejects.toThrow(Rollback);
    const after = await orderAndBroadcast('tx-replay', 'mango');
    const replay = collect(t.firehose.stream('tx-replay', { lastEventId: 0 }), 2, 5_000);
    expect(await replay.done).toEqual([before, after]);
    expect([before.sequence, after.sequence]).toEqual([1, 2]);
  });

  it('transactional and plain broadcasts on one stream share one contiguous sequence', async () => {
    const live = await collectLive(t.firehose, 'tx-mixed', 3, 5_000);
    const a = await t.firehose.broadcast('tx-mixed', 'plain 1');
    await expect(orderAndBroadcast('tx-mixed', 'rolled back', true)).rejects.toThrow(Rollback);
    const b = await orderAndBroadcast('tx-mixed', 'in tx');
    const c = await t.firehose.broadcast('tx-mixed', 'plain 2');
    expect([a, b, c].map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(await live.done).toEqual([a, b, c]);
    expect(await storedSequences('tx-mixed')).toEqual([1, 2, 3]);
  });
});
