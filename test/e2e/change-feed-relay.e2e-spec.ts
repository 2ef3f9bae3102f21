import type { FirehoseEvent, TableChange } from '../../lib/index.js';
import { collect, waitFor } from '../utils/collect.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { countRelayed } from '../utils/relay-probe.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

type Change = FirehoseEvent<TableChange<any>>;

describe('change feeds: what the relay carries and who relays', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('change_relay');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('sends nothing for TRUNCATE, and later changes still flow in order', async () => {
    const t = await createFirehoseApp({ url: db.url, changeFeeds: true });
    try {
      await db.query('CREATE TABLE carts (id int PRIMARY KEY)');
      await t.changeFeeds.enable('public', 'carts');
      const from = (await t.firehose.broadcast('marker', 'before')).id;
      await db.query('INSERT INTO carts VALUES (1), (2)');
      await db.query('TRUNCATE carts');
      await db.query('INSERT INTO carts VALUES (3)');
      const events = (await collect(t.firehose.stream<TableChange<any>>('table:public.carts', { lastEventId: from }), 3).done) as Change[];
      expect(events.map((e) => [e.data.type, e.data.record.id])).toEqual([
        ['INSERT', 1],
        ['INSERT', 2],
        ['INSERT', 3],
      ]);
      expect(events.map((e) => e.sequence)).toEqual([1, 2, 3]);
      // Nothing else was logged for the table: the TRUNCATE left no event between them.
      const [{ count }] = await db.query(
        `SELECT count(*)::int AS count FROM firehose_messages m JOIN firehose_channels c ON c.id = m.channel_id WHERE c.name = 'table:public.carts'`,
      );
      expect(count).toBe(3);
      const [{ left }] = await db.query('SELECT count(*)::int AS left FROM firehose_change_staging');
      expect(left).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('delivers a row larger than maxPayloadBytes whole (the limit is for broadcasts)', async () => {
    const t = await createFirehoseApp({ url: db.url, changeFeeds: true, firehose: { maxPayloadBytes: 1024 } });
    try {
      await db.query('CREATE TABLE blobs (id int PRIMARY KEY, body text)');
      await t.changeFeeds.enable('public', 'blobs');
      await expect(t.firehose.broadcast('blobs', 'x'.repeat(4096))).rejects.toThrow(/maxPayloadBytes|1024/);
      const from = (await t.firehose.broadcast('marker', 'before')).id;
      const body = 'y'.repeat(20_000);
      await db.query('INSERT INTO blobs VALUES (1, $1)', [body]);
      const [event] = (await collect(t.firehose.stream<TableChange<any>>('table:public.blobs', { lastEventId: from }), 1).done) as Change[];
      expect(event.data.record).toEqual({ id: 1, body });
    } finally {
      await t.close();
    }
  });

  it('lets another app take over the relay when the relaying app closes mid-backlog, losing and repeating nothing', async () => {
    // Enough for many relay steps (one of CHANGE_RELAY_BATCH_EVENTS each), so the first relay stops mid-backlog.
    const ROWS = 8_000;
    const apps: FirehoseTestApp[] = [
      await createFirehoseApp({ url: db.url, changeFeeds: true }),
      await createFirehoseApp({ url: db.url, changeFeeds: true }),
    ];
    const closed = new Set<FirehoseTestApp>();
    try {
      const relayed = apps.map((app) => countRelayed(app));
      await db.query('CREATE TABLE backlog (id int PRIMARY KEY)');
      await apps[0].changeFeeds.enable('public', 'backlog', { operations: ['INSERT'] });
      const from = (await apps[0].firehose.broadcast('marker', 'before')).id;
      // One commit stages every row; the relay moves them in batches, one app at a time.
      await db.query('INSERT INTO backlog SELECT g FROM generate_series(1, $1::int) g', [ROWS]);
      await waitFor(() => relayed.some((r) => r.changes > 0), 30_000, 'a relay to start on the backlog');
      const relaying = relayed[0].changes > 0 ? 0 : 1;
      const survivor = 1 - relaying;
      await apps[relaying].close();
      closed.add(apps[relaying]);
      // The app stopped mid-backlog: some changes are still staged for the survivor.
      expect(relayed[relaying].changes).toBeLessThan(ROWS);
      const left = Number((await db.query('SELECT count(*) AS left FROM firehose_change_staging'))[0].left);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(ROWS - relayed[relaying].changes);

      const all = collect(apps[survivor].firehose.stream<TableChange<any>>('table:public.backlog', { lastEventId: from }), ROWS, 60_000);
      const events = (await all.done) as Change[];
      expect(events.map((e) => e.data.record.id)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
      expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
      // The survivor's last step answers its query around when its events are delivered.
      await waitFor(() => relayed[0].changes + relayed[1].changes >= ROWS, 10_000, 'the last relay step to answer');
      expect(relayed[survivor].changes).toBeGreaterThan(0);
      expect(relayed[0].changes + relayed[1].changes).toBe(ROWS);
      const [{ count }] = await db.query('SELECT count(*)::int AS count FROM firehose_change_staging');
      expect(count).toBe(0);
    } finally {
      for (const app of apps) if (!closed.has(app)) await app.close();
    }
  }, 90_000);
});
