import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { collect, collectLive, waitFor } from '../utils/collect.js';
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
    expect(event).toEqual({
      id: expect.any(Number),
      stream: 'tx-commit',
      data: { item: 'apple' },
      sequence: 1,
      streamId: expect.any(Number),
    });
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

describe('the append lock between a caller transaction and plain broadcasts', () => {
  let db: TestDatabase;
  let t: FirehoseTestApp;

  beforeAll(async () => {
    db = await createTestDatabase('append_lock');
    t = await createFirehoseApp({ url: db.url });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const waitingOnAdvisoryLock = async () =>
    (
      await db.query(
        "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      )
    ).length > 0;

  it('makes a plain broadcast wait for a { manager } transaction that holds the lock, and gives it the higher id', async () => {
    const before = await t.firehose.broadcast('locked', 'before');
    const live = await collectLive(t.firehose, 'locked', 2);
    const runner = t.app.get(DataSource).createQueryRunner();
    await runner.connect();
    let plain: Promise<FirehoseEvent> | undefined;
    let plainSettled = false;
    try {
      await runner.startTransaction();
      const inTransaction = await t.firehose.broadcast('locked', 'in the transaction', { manager: runner.manager });
      // Issued after the transaction took the lock, while it is still open.
      plain = t.firehose.broadcast('locked', 'plain');
      void plain.finally(() => (plainSettled = true));
      await waitFor(waitingOnAdvisoryLock, 10_000, 'the plain broadcast to wait on the append lock');
      expect(plainSettled).toBe(false);
      expect(live.items).toEqual([]);
      await runner.commitTransaction();
      const plainEvent = await plain;
      expect(plainEvent.id).toBeGreaterThan(inTransaction.id);
      expect(plainEvent.sequence).toBe(inTransaction.sequence + 1);
      expect(await live.done).toEqual([inTransaction, plainEvent]);

      // A client that saw the transaction's event resumes from its id and gets the plain one;
      // one that resumes from before both gets both, in that order.
      const fromTransaction = collect(t.firehose.stream('locked', { lastEventId: inTransaction.id }), 1);
      expect(await fromTransaction.done).toEqual([plainEvent]);
      const fromBefore = collect(t.firehose.stream('locked', { lastEventId: before.id }), 2);
      expect(await fromBefore.done).toEqual([inTransaction, plainEvent]);
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
      await plain?.catch(() => undefined);
    }
  });
});
