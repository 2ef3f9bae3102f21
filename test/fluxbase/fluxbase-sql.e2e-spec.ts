import { DataSource } from 'typeorm';
import { CHANGE_FEED_MIGRATIONS, FIREHOSE_MIGRATIONS, FLUXBASE_MIGRATIONS } from '../../lib/index.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const MIGRATIONS = [...FIREHOSE_MIGRATIONS, ...CHANGE_FEED_MIGRATIONS, ...FLUXBASE_MIGRATIONS];

/** Fluxbase's troubleshooting queries, as its documentation prints them. */
const WHICH_TABLES = `SELECT
  trigger_schema,
  event_object_table as table_name,
  trigger_name
FROM information_schema.triggers
WHERE trigger_name LIKE '%_notify_change';`;
const IS_ENABLED = (table: string) => `SELECT * FROM information_schema.triggers
   WHERE event_object_table = '${table}'
   AND trigger_name LIKE '%_notify_change';`;

/** A Fluxbase database: its capture function, its helpers (same signatures as ours) and a table it made realtime. */
const FLUXBASE_SETUP = [
  `CREATE OR REPLACE FUNCTION notify_table_change() RETURNS TRIGGER AS $$
   BEGIN PERFORM pg_notify('fluxbase_changes', json_build_object('type', TG_OP)::text); RETURN NEW; END;
   $$ LANGUAGE plpgsql`,
  `CREATE OR REPLACE FUNCTION enable_realtime(schema_name TEXT, table_name TEXT) RETURNS VOID AS $$
   BEGIN
     EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I.%I', table_name || '_notify_change', schema_name, table_name);
     EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I.%I FOR EACH ROW EXECUTE FUNCTION notify_table_change()',
       table_name || '_notify_change', schema_name, table_name);
   END; $$ LANGUAGE plpgsql`,
  `CREATE OR REPLACE FUNCTION disable_realtime(schema_name TEXT, table_name TEXT) RETURNS VOID AS $$
   BEGIN EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I.%I', table_name || '_notify_change', schema_name, table_name); END;
   $$ LANGUAGE plpgsql`,
  'CREATE TABLE products (id int PRIMARY KEY, name text, price numeric)',
  `SELECT enable_realtime('public', 'products')`,
];

describe('Fluxbase SQL helpers: enable_realtime, disable_realtime and the troubleshooting queries', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  const triggersOn = async (table: string) =>
    (await db.query('SELECT tgname FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal ORDER BY tgname', [table])).map(
      (row) => row.tgname,
    );
  const feeds = async () => (await db.query('SELECT schema_name, table_name, operations FROM firehose_list_change_feeds()')) as any[];
  const staged = async () => Number((await db.query('SELECT count(*) FROM firehose_change_staging'))[0].count);

  beforeAll(async () => {
    db = await createTestDatabase('fluxbase_sql');
    // A database that comes from Fluxbase, then our migrations.
    for (const sql of FLUXBASE_SETUP) await db.query(sql);
    dataSource = new DataSource({ type: 'postgres', url: db.url, migrations: MIGRATIONS });
    await dataSource.initialize();
    await dataSource.runMigrations();
    await db.query('CREATE TABLE orders (id int PRIMARY KEY, total int)');
    await db.query('CREATE TABLE "Order Items" (id int PRIMARY KEY)');
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it("replaces Fluxbase's own helpers in place (same signatures), and enable_realtime replaces its capture trigger", async () => {
    expect(await triggersOn('products')).toEqual(['products_notify_change']);
    expect(await db.query(`SELECT enable_realtime('public', 'products') AS result`)).toEqual([{ result: '' }]);
    // Fluxbase's trigger would go on sending a NOTIFY per row to nobody: it is gone.
    expect(await triggersOn('products')).toEqual(['firehose_change_feed', 'firehose_notify_change']);
    expect(await feeds()).toEqual([{ schema_name: 'public', table_name: 'products', operations: ['INSERT', 'UPDATE', 'DELETE'] }]);
  });

  it("lists the realtime tables with Fluxbase's troubleshooting queries", async () => {
    await db.query(`SELECT enable_realtime('public', 'orders')`);
    const rows = await db.query(`${WHICH_TABLES.replace(/;$/, '')} ORDER BY 2, 3`);
    expect(new Set(rows.map((row) => `${row.trigger_schema}.${row.table_name} ${row.trigger_name}`))).toEqual(
      new Set(['public.orders firehose_notify_change', 'public.products firehose_notify_change']),
    );
    const orders = await db.query(IS_ENABLED('orders'));
    expect(orders.map((row) => row.event_manipulation).sort()).toEqual(['DELETE', 'INSERT', 'UPDATE']);
    expect(await db.query(IS_ENABLED('nothing_here'))).toEqual([]);
  });

  it('captures changes through the change feed, once: the marker trigger never fires', async () => {
    const before = await staged();
    await db.query('INSERT INTO orders VALUES (1, 10), (2, 20)');
    await db.query('UPDATE orders SET total = total + 1');
    // No relay runs here, so the staged changes stay put: two inserts and two updates.
    expect((await staged()) - before).toBe(4);
    const [row] = await db.query(`SELECT event FROM firehose_change_staging ORDER BY seq DESC LIMIT 1`);
    expect(JSON.parse(row.event)).toEqual({
      type: 'UPDATE',
      schema: 'public',
      table: 'orders',
      record: { id: 2, total: 21 },
      old_record: { id: 2, total: 20 },
    });
  });

  it("is idempotent, keeps the options of a feed enabled before, and leaves the change feed's own functions working", async () => {
    await db.query('CREATE TABLE invoices (id int PRIMARY KEY, amount int, note text)');
    await db.query(`SELECT firehose_enable_change_feed('public', 'invoices', ARRAY['id', 'amount'], ARRAY['INSERT', 'DELETE'])`);
    await db.query(`SELECT enable_realtime('public', 'invoices')`);
    await db.query(`SELECT enable_realtime('public', 'invoices')`);
    expect((await feeds()).find((feed) => feed.table_name === 'invoices')).toEqual({
      schema_name: 'public',
      table_name: 'invoices',
      operations: ['INSERT', 'DELETE'],
    });
    // The marker mirrors the feed's operations.
    expect((await db.query(IS_ENABLED('invoices'))).map((row) => row.event_manipulation).sort()).toEqual(['DELETE', 'INSERT']);
    // Replacing the feed's options with the change feed's function keeps one capture trigger.
    await db.query(`SELECT firehose_enable_change_feed('public', 'invoices', p_replace => true)`);
    expect(await triggersOn('invoices')).toEqual(['firehose_change_feed', 'firehose_notify_change']);
    const before = await staged();
    await db.query('INSERT INTO invoices VALUES (1, 5, null)');
    expect((await staged()) - before).toBe(1);
  });

  it('disable_realtime turns the feed off and clears the marker; again, or on a table without a feed, it does nothing', async () => {
    await db.query(`SELECT disable_realtime('public', 'orders')`);
    expect(await triggersOn('orders')).toEqual([]);
    expect((await feeds()).map((feed) => feed.table_name)).not.toContain('orders');
    expect(await db.query(IS_ENABLED('orders'))).toEqual([]);
    const before = await staged();
    await db.query('INSERT INTO orders VALUES (3, 30)');
    expect(await staged()).toBe(before);
    await db.query(`SELECT disable_realtime('public', 'orders')`);
    await db.query(`SELECT disable_realtime('public', 'Order Items')`);
  });

  it('refuses a table that does not exist, with the error code and a hint', async () => {
    const enabling = await db.query(`SELECT enable_realtime('public', 'nope')`).catch((error) => error);
    expect(enabling).toMatchObject({ code: '42P01', message: 'Cannot enable a change feed on public.nope: no such table.' });
    const disabling = await db.query(`SELECT disable_realtime('public', 'nope')`).catch((error) => error);
    expect(disabling).toMatchObject({ code: '42P01', message: 'Cannot disable realtime on public.nope: no such table.' });
    expect((disabling as { hint?: string }).hint).toMatch(/as they are stored, unquoted and case-sensitive/);
  });

  it('takes names as stored, unquoted and case-sensitive', async () => {
    await db.query(`SELECT enable_realtime('public', 'Order Items')`);
    expect(await db.query(IS_ENABLED('Order Items'))).toHaveLength(3);
    await db.query(`SELECT disable_realtime('public', 'Order Items')`);
    expect(await db.query(IS_ENABLED('Order Items'))).toEqual([]);
  });

  it('reverts cleanly (functions and markers gone, feeds kept for the change feed to revert) and applies again', async () => {
    await dataSource.undoLastMigration();
    const functions = async () =>
      (await db.query(`SELECT proname FROM pg_proc WHERE proname IN ('enable_realtime', 'disable_realtime', 'firehose_realtime_marker')`))
        .map((row) => row.proname)
        .sort();
    expect(await functions()).toEqual([]);
    expect(await db.query(WHICH_TABLES)).toEqual([]);
    expect(await triggersOn('products')).toEqual(['firehose_change_feed']);
    await dataSource.runMigrations();
    expect(await functions()).toEqual(['disable_realtime', 'enable_realtime', 'firehose_realtime_marker']);
    await db.query(`SELECT enable_realtime('public', 'products')`);
    expect(await db.query(IS_ENABLED('products'))).toHaveLength(3);
  });

  it("lives in the DataSource's schema, like the change feed's functions", async () => {
    const schema = 'Realtime Helpers';
    // TypeORM puts its history table there before any migration runs.
    await db.query(`CREATE SCHEMA "${schema}"`);
    const named = new DataSource({
      type: 'postgres',
      url: db.url,
      schema,
      migrations: MIGRATIONS,
      migrationsTableName: 'named_migrations',
    });
    await named.initialize();
    try {
      await named.runMigrations();
      await db.query('CREATE TABLE shipments (id int PRIMARY KEY)');
      await db.query(`SELECT "Realtime Helpers".enable_realtime('public', 'shipments')`);
      expect(await triggersOn('shipments')).toEqual(['firehose_change_feed', 'firehose_notify_change']);
      expect((await db.query(`SELECT table_name FROM "Realtime Helpers".firehose_list_change_feeds()`)).map((r) => r.table_name)).toEqual([
        'shipments',
      ]);
      await db.query(`SELECT "Realtime Helpers".disable_realtime('public', 'shipments')`);
      expect(await triggersOn('shipments')).toEqual([]);
    } finally {
      await named.destroy();
    }
  });
});
