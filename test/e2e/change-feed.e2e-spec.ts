import pg from 'pg';
import {
  ChangeFeedAlreadyEnabledError,
  ChangeFeedNotEnabledError,
  ChangeFeedTableNotFoundError,
  ChangeFeedInvalidOptionsError,
  isFirehoseReset,
  type FirehoseEvent,
  type FirehoseStreamItem,
  type TableChange,
} from '../../lib/index.js';
import { collect, sleep, waitFor } from '../utils/collect.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { countRelayed } from '../utils/relay-probe.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

type Change = FirehoseEvent<TableChange<any>>;

/** Gathers the events of `streams` from the moment it is called. */
function record(t: FirehoseTestApp, streams: string | string[]) {
  const items: FirehoseStreamItem<TableChange<any>>[] = [];
  let live = false;
  const subscription = t.firehose.stream<TableChange<any>>(streams, { onLive: () => (live = true) }).subscribe((item) => items.push(item));
  const events = () => items.filter((item): item is Change => !isFirehoseReset(item));
  return {
    items,
    events,
    ready: () => waitFor(() => live, 10_000, 'the subscription to go live'),
    waitFor: (count: number, timeoutMs = 15_000) =>
      waitFor(() => events().length >= count, timeoutMs, `${count} change events`).then(events),
    stop: () => subscription.unsubscribe(),
  };
}

describe('table change feeds', () => {
  let db: TestDatabase;
  let t: FirehoseTestApp;
  let client: pg.Client;
  const opened: Array<{ stop(): void }> = [];

  const watch = async (streams: string | string[]) => {
    const r = record(t, streams);
    opened.push(r);
    await r.ready();
    return r;
  };

  beforeAll(async () => {
    db = await createTestDatabase('change_feed');
    t = await createFirehoseApp({ url: db.url, changeFeeds: true, firehose: { cleanupThreshold: 100_000 } });
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterEach(() => {
    for (const r of opened.splice(0)) r.stop();
  });
  afterAll(async () => {
    await client?.end();
    await t?.close();
    await db?.drop();
  });

  it('sends each operation with the Fluxbase realtime payload: record on INSERT and UPDATE, old_record on UPDATE and DELETE', async () => {
    await db.query('CREATE TABLE products (id serial PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags jsonb)');
    expect(await t.changeFeeds.enable('public', 'products')).toBe('table:public.products');
    const feed = await watch('table:public.products');
    await db.query(`INSERT INTO products (name, price, tags) VALUES ('Lamp', 99.99, '["new"]')`);
    await db.query(`UPDATE products SET name = 'Desk lamp', price = 149.99 WHERE id = 1`);
    await db.query('DELETE FROM products WHERE id = 1');
    const events = await feed.waitFor(3);
    expect(events.map((e) => e.data)).toEqual([
      { type: 'INSERT', schema: 'public', table: 'products', record: { id: 1, name: 'Lamp', price: 99.99, tags: ['new'] } },
      {
        type: 'UPDATE',
        schema: 'public',
        table: 'products',
        record: { id: 1, name: 'Desk lamp', price: 149.99, tags: ['new'] },
        old_record: { id: 1, name: 'Lamp', price: 99.99, tags: ['new'] },
      },
      { type: 'DELETE', schema: 'public', table: 'products', old_record: { id: 1, name: 'Desk lamp', price: 149.99, tags: ['new'] } },
    ]);
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(events.every((e) => e.stream === 'table:public.products')).toBe(true);
    expect(await t.changeFeeds.list()).toEqual([
      { schema: 'public', table: 'products', stream: 'table:public.products', columns: null, operations: ['INSERT', 'UPDATE', 'DELETE'] },
    ]);
  });

  it('sends only the selected columns and operations', async () => {
    await db.query('CREATE TABLE accounts (id int PRIMARY KEY, email text, password_hash text, plan text)');
    await t.changeFeeds.enable('public', 'accounts', { columns: ['id', 'plan'], operations: ['INSERT', 'DELETE'] });
    const feed = await watch('table:public.accounts');
    await db.query(`INSERT INTO accounts VALUES (1, 'a@example.com', 'secret', 'free')`);
    await db.query(`UPDATE accounts SET plan = 'pro'`);
    await db.query('DELETE FROM accounts');
    // Changes come in commit order: once this last one is here, the UPDATE was not sent.
    await db.query(`INSERT INTO accounts VALUES (2, 'b@example.com', 'secret', 'team')`);
    const events = await feed.waitFor(3);
    expect(events.map((e) => e.data)).toEqual([
      { type: 'INSERT', schema: 'public', table: 'accounts', record: { id: 1, plan: 'free' } },
      { type: 'DELETE', schema: 'public', table: 'accounts', old_record: { id: 1, plan: 'pro' } },
      { type: 'INSERT', schema: 'public', table: 'accounts', record: { id: 2, plan: 'team' } },
    ]);
    const [info] = (await t.changeFeeds.list()).filter((f) => f.table === 'accounts');
    expect(info).toMatchObject({ columns: ['id', 'plan'], operations: ['INSERT', 'DELETE'] });
  });

  it('delivers a transaction after it commits, all its statements in order, and nothing of a rollback', async () => {
    await db.query('CREATE TABLE orders (id int PRIMARY KEY, status text)');
    await t.changeFeeds.enable('public', 'orders');
    const feed = await watch('table:public.orders');
    await client.query('BEGIN');
    await client.query(`INSERT INTO orders VALUES (1, 'new'), (2, 'new')`);
    await client.query(`UPDATE orders SET status = 'paid' WHERE id = 1`);
    await client.query('SAVEPOINT s');
    await client.query(`INSERT INTO orders VALUES (3, 'undone')`);
    await client.query('ROLLBACK TO SAVEPOINT s');
    await client.query('DELETE FROM orders WHERE id = 2');
    // Another session's change commits while the transaction is open: once it is delivered, the
    // relay has run past the open transaction's statements without sending any of them.
    await db.query(`INSERT INTO orders VALUES (100, 'meanwhile')`);
    await feed.waitFor(1);
    expect(feed.events().map((e) => e.data.record.id)).toEqual([100]);
    await client.query('COMMIT');
    await feed.waitFor(5);

    await client.query('BEGIN');
    await client.query(`INSERT INTO orders VALUES (9, 'never')`);
    await client.query('ROLLBACK');
    await db.query(`INSERT INTO orders VALUES (10, 'after')`);
    // The rolled-back insert came before this one: once it is here, the rollback sent nothing.
    await feed.waitFor(6);
    expect(feed.events().map((e) => [e.data.type, (e.data.record ?? e.data.old_record).id, e.data.record?.status])).toEqual([
      ['INSERT', 100, 'meanwhile'],
      ['INSERT', 1, 'new'],
      ['INSERT', 2, 'new'],
      ['UPDATE', 1, 'paid'],
      ['DELETE', 2, undefined],
      ['INSERT', 10, 'after'],
    ]);
  });

  it('orders changes by commit: a transaction that waited on a row lock comes after the one it waited for', async () => {
    await db.query('CREATE TABLE counters (id int PRIMARY KEY, value int)');
    await db.query('INSERT INTO counters VALUES (1, 0)');
    await t.changeFeeds.enable('public', 'counters', { operations: ['UPDATE'] });
    const feed = await watch('table:public.counters');
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      // `other` starts first (older transaction id), but commits second.
      await other.query('BEGIN');
      await other.query('SELECT txid_current()');
      await client.query('BEGIN');
      await client.query('UPDATE counters SET value = value + 1 WHERE id = 1');
      const waiting = other.query('UPDATE counters SET value = value * 10 WHERE id = 1');
      const otherPid = (other as unknown as { processID: number }).processID;
      await waitFor(
        async () => (await db.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted', [otherPid])).length > 0,
        10_000,
        'the second transaction to wait on the row lock',
      );
      await client.query('COMMIT');
      await waiting;
      await other.query('COMMIT');
    } finally {
      await other.end();
    }
    const events = await feed.waitFor(2);
    expect(events.map((e) => [e.data.old_record.value, e.data.record.value])).toEqual([
      [0, 1],
      [1, 10],
    ]);
  });

  it('numbers changes at commit: a transaction that wrote first but committed last comes last', async () => {
    await db.query('CREATE TABLE memos (id int PRIMARY KEY)');
    await t.changeFeeds.enable('public', 'memos');
    const feed = await watch('table:public.memos');
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('INSERT INTO memos VALUES (1)');
      await client.query('BEGIN');
      await client.query('INSERT INTO memos VALUES (2)');
      await client.query('COMMIT');
      await other.query('COMMIT');
    } finally {
      await other.end();
    }
    const events = await feed.waitFor(2);
    expect(events.map((e) => e.data.record.id)).toEqual([2, 1]);
  });

  it('loses, duplicates and reorders nothing under concurrent writers, with a second app relaying too', async () => {
    await db.query('CREATE TABLE ledger (id bigserial PRIMARY KEY, writer int NOT NULL, n int NOT NULL)');
    await t.changeFeeds.enable('public', 'ledger', { operations: ['INSERT'] });
    const second = await createFirehoseApp({ url: db.url, changeFeeds: true });
    // How many changes each app's relay moved: the claim is that both do work, not only one.
    const relayed = [countRelayed(t), countRelayed(second)];
    try {
      const feed = await watch('table:public.ledger');
      const writers = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const c = new pg.Client({ connectionString: db.url });
          await c.connect();
          return c;
        }),
      );
      const committed: number[] = writers.map(() => 0);
      // At least two seconds, and until both relays have moved changes (one relay at a time works;
      // the other finds the work taken and retries about a second later).
      const started = Date.now();
      const writing = () => Date.now() - started < 2000 || (relayed.some((r) => r.changes === 0) && Date.now() - started < 30_000);
      await Promise.all(
        writers.map(async (c, w) => {
          let n = 0;
          for (let k = 0; writing(); k++) {
            if (k % 5 === 4) {
              // A two-statement transaction, and every other one rolled back.
              await c.query('BEGIN');
              await c.query('INSERT INTO ledger (writer, n) VALUES ($1, $2)', [w, k % 10 === 9 ? -1 : n + 1]);
              await c.query('INSERT INTO ledger (writer, n) VALUES ($1, $2)', [w, k % 10 === 9 ? -1 : n + 2]);
              if (k % 10 === 9) await c.query('ROLLBACK');
              else {
                await c.query('COMMIT');
                n += 2;
              }
            } else {
              await c.query('INSERT INTO ledger (writer, n) VALUES ($1, $2)', [w, ++n]);
            }
          }
          committed[w] = n;
          await c.end();
        }),
      );
      // A last row after every writer's: a duplicate would have been delivered before it.
      await db.query('INSERT INTO ledger (writer, n) VALUES (-1, 0)');
      const total = committed.reduce((a, b) => a + b, 0);
      const events = (await feed.waitFor(total + 1, 30_000)).slice(0, total);
      expect(feed.events()).toHaveLength(total + 1);
      expect(feed.events()[total].data.record.writer).toBe(-1);
      expect(relayed[0].changes).toBeGreaterThan(0);
      expect(relayed[1].changes).toBeGreaterThan(0);
      for (let w = 0; w < writers.length; w++) {
        const mine = events.filter((e) => e.data.record.writer === w).map((e) => e.data.record.n);
        expect(mine).toEqual(Array.from({ length: committed[w] }, (_, i) => i + 1));
      }
      expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(events.every((e, i) => i === 0 || e.id > events[i - 1].id)).toBe(true);
      expect(relayed[0].changes + relayed[1].changes).toBe(total + 1);
      const [{ left }] = await db.query('SELECT count(*)::int AS left FROM firehose_change_staging');
      expect(left).toBe(0);
    } finally {
      await second.close();
    }
  }, 60_000);

  it('carries a bulk UPDATE of 10,000 rows without stalling broadcasts', async () => {
    await db.query('CREATE TABLE items (id int PRIMARY KEY, n int)');
    await db.query('INSERT INTO items SELECT g, 0 FROM generate_series(1, 10000) g');
    await t.changeFeeds.enable('public', 'items');
    const feed = await watch(['table:public.items', 'ping']);
    const changes = () => feed.events().filter((e) => e.stream === 'table:public.items');
    const bulk = db.query('UPDATE items SET n = n + 1');
    // Broadcasts go on while the bulk statement commits and while its changes are relayed, until
    // the last change is delivered.
    const pings: FirehoseEvent[] = [];
    for (let i = 0; changes().length < 10_000; i++) {
      pings.push(await t.firehose.broadcast('ping', i));
      await sleep(5);
    }
    await bulk;
    const all = await feed.waitFor(10_000 + pings.length, 60_000);
    const relayed = all.filter((e) => e.stream === 'table:public.items');
    expect(relayed).toHaveLength(10_000);
    expect(relayed.map((e) => e.sequence)).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
    expect(new Set(relayed.map((e) => e.data.record.id)).size).toBe(10_000);
    expect(relayed.every((e) => e.data.record.n === 1 && e.data.old_record.n === 0)).toBe(true);
    // Not stalled: broadcasts committed between the relay's batches, inside the run of changes.
    const first = relayed[0].id;
    const last = relayed.at(-1)!.id;
    expect(pings.filter((ping) => ping.id > first && ping.id < last).length).toBeGreaterThan(0);
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => a - b));
  }, 90_000);

  it('delivers changes committed while no app was running once one starts', async () => {
    const other = await createTestDatabase('change_feed_down');
    try {
      const first = await createFirehoseApp({ url: other.url, changeFeeds: true });
      await other.query('CREATE TABLE tasks (id int PRIMARY KEY, title text)');
      await first.changeFeeds.enable('public', 'tasks');
      await first.close();
      await other.query(`INSERT INTO tasks VALUES (1, 'while down'), (2, 'also')`);
      await other.query(`DELETE FROM tasks WHERE id = 2`);
      const second = await createFirehoseApp({ url: other.url, changeFeeds: true });
      try {
        const replay = collect(second.firehose.stream<TableChange<any>>('table:public.tasks', { lastEventId: 0 }), 3);
        expect((await replay.done).map((e) => (e as Change).data.type)).toEqual(['INSERT', 'INSERT', 'DELETE']);
      } finally {
        await second.close();
      }
    } finally {
      await other.drop();
    }
  });

  it('delivers a row too large for NOTIFY by reference, whole', async () => {
    await db.query('CREATE TABLE documents (id int PRIMARY KEY, body text)');
    await t.changeFeeds.enable('public', 'documents');
    const feed = await watch('table:public.documents');
    const body = 'x'.repeat(50_000);
    await db.query('INSERT INTO documents VALUES (1, $1)', [body]);
    const [event] = await feed.waitFor(1);
    expect(event.data.record).toEqual({ id: 1, body });
  });

  it('replays changes after a cursor, like any stream', async () => {
    await db.query('CREATE TABLE notes (id int PRIMARY KEY, text text)');
    await t.changeFeeds.enable('public', 'notes');
    const feed = await watch('table:public.notes');
    await db.query(`INSERT INTO notes VALUES (1, 'one')`);
    const [first] = await feed.waitFor(1);
    await db.query(`INSERT INTO notes VALUES (2, 'two')`);
    await db.query(`UPDATE notes SET text = 'TWO' WHERE id = 2`);
    await feed.waitFor(3);
    const replay = collect(t.firehose.stream<TableChange<any>>('table:public.notes', { lastEventId: first.id }), 2);
    expect((await replay.done).map((e) => (e as Change).data.record.text)).toEqual(['two', 'TWO']);
  });

  it('answers enabling twice, disabling an unknown table and bad options with clear errors', async () => {
    await db.query('CREATE TABLE tags (id int PRIMARY KEY, label text)');
    await t.changeFeeds.enable('public', 'tags');
    await expect(t.changeFeeds.enable('public', 'tags')).rejects.toThrow(ChangeFeedAlreadyEnabledError);
    await expect(t.changeFeeds.enable('public', 'tags')).rejects.toThrow(
      'The change feed on public.tags is already enabled. Disable it first, or pass { replace: true } to FirehoseChangeFeedService.enable to change its options.',
    );
    await expect(t.changeFeeds.disable('public', 'nope')).rejects.toThrow(ChangeFeedNotEnabledError);
    await expect(t.changeFeeds.disable('public', 'nope')).rejects.toThrow(
      /No change feed is enabled on public\.nope\. FirehoseChangeFeedService\.list\(\)/,
    );
    await expect(t.changeFeeds.enable('public', 'nope')).rejects.toThrow(ChangeFeedTableNotFoundError);
    await expect(t.changeFeeds.enable('public', 'tags', { replace: true, columns: ['id', 'Label'] })).rejects.toThrow(
      ChangeFeedInvalidOptionsError,
    );
    await expect(t.changeFeeds.enable('public', 'tags', { replace: true, operations: ['TRUNCATE' as any] })).rejects.toThrow(
      /operations must be a non-empty list of INSERT, UPDATE, DELETE/,
    );
    await t.changeFeeds.enable('public', 'tags', { replace: true, columns: ['label'] });
    await db.query('CREATE TABLE tags_after (id int PRIMARY KEY)');
    await t.changeFeeds.enable('public', 'tags_after');
    const feed = await watch(['table:public.tags', 'table:public.tags_after']);
    await db.query(`INSERT INTO tags VALUES (1, 'red')`);
    expect((await feed.waitFor(1))[0].data.record).toEqual({ label: 'red' });
    await t.changeFeeds.disable('public', 'tags');
    await expect(t.changeFeeds.disable('public', 'tags')).rejects.toThrow(ChangeFeedNotEnabledError);
    await db.query(`INSERT INTO tags VALUES (2, 'blue')`);
    // Committed after it, on a table whose feed is still on: once it is here, `blue` was not captured.
    await db.query('INSERT INTO tags_after VALUES (1)');
    await feed.waitFor(2);
    expect(feed.events().map((e) => e.stream)).toEqual(['table:public.tags', 'table:public.tags_after']);
  });

  it('works from SQL and with names that need quotes (mixed case, a space, a schema)', async () => {
    await db.query('CREATE SCHEMA "Shop Floor"');
    await db.query('CREATE TABLE "Shop Floor"."Order Items" ("Id" int PRIMARY KEY, "Unit Price" numeric)');
    const [{ stream }] = await db.query(`SELECT firehose_enable_change_feed('Shop Floor', 'Order Items') AS stream`);
    expect(stream).toBe('table:Shop Floor.Order Items');
    const feed = await watch(stream);
    await db.query(`INSERT INTO "Shop Floor"."Order Items" VALUES (7, 2.5)`);
    const [event] = await feed.waitFor(1);
    expect(event.data).toEqual({ type: 'INSERT', schema: 'Shop Floor', table: 'Order Items', record: { Id: 7, 'Unit Price': 2.5 } });
    const listed = await db.query('SELECT schema_name, table_name, stream FROM firehose_list_change_feeds() WHERE schema_name = $1', [
      'Shop Floor',
    ]);
    expect(listed).toEqual([{ schema_name: 'Shop Floor', table_name: 'Order Items', stream: 'table:Shop Floor.Order Items' }]);
    await expect(db.query(`SELECT firehose_enable_change_feed('Shop Floor', 'Order Items')`)).rejects.toThrow(/already enabled/);
    await db.query(`SELECT firehose_disable_change_feed('Shop Floor', 'Order Items')`);
    await expect(db.query(`SELECT firehose_disable_change_feed('Shop Floor', 'Order Items')`)).rejects.toThrow(/No change feed is enabled/);
    expect((await t.changeFeeds.list()).some((f) => f.schema === 'Shop Floor')).toBe(false);
  });
});
