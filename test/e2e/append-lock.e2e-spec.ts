import { DataSource } from 'typeorm';
import type { FirehoseEvent } from '../../lib/index.js';
import { collect, collectLive, waitFor } from '../utils/collect.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

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
    (await db.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).length > 0;

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
