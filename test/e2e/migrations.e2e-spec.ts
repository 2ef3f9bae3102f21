import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FIREHOSE_ENTITIES, FIREHOSE_MIGRATIONS, FirehoseModule, FirehoseService, type FirehoseEvent } from '../../lib/index.js';
import { collect, collectLive } from '../utils/collect.js';
import { createFirehoseApp } from '../utils/create-firehose-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/** An app whose DataSource knows nothing of the module's migrations: only `migrationsRun` creates the tables. */
async function bootWithModuleMigrations(url: string) {
  @Module({
    imports: [
      TypeOrmModule.forRoot({ type: 'postgres', url, entities: FIREHOSE_ENTITIES }),
      FirehoseModule.forRoot({ migrationsRun: true, reconnectDelay: 50 }),
    ],
  })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'], abortOnError: false });
  await app.init();
  return app;
}

describe('migrations', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase('migrations');
  });
  afterEach(async () => {
    await db?.drop();
  });

  it('migrationsRun creates the tables on an empty database, recorded in firehose_migrations, and the app works', async () => {
    const app = await bootWithModuleMigrations(db.url);
    try {
      const firehose = app.get(FirehoseService);
      const live = await collectLive(firehose, 's', 1);
      const event = await firehose.broadcast('s', { ok: true });
      expect(await live.done).toEqual([event]);
      const applied = await db.query('SELECT name FROM firehose_migrations');
      expect(applied.map((r) => r.name)).toEqual(FIREHOSE_MIGRATIONS.map((m) => m.name));
    } finally {
      await app.close();
    }
  });

  it('two processes booting at once on an empty database both come up (the migration serializes itself)', async () => {
    const [a, b] = await Promise.all([bootWithModuleMigrations(db.url), bootWithModuleMigrations(db.url)]);
    try {
      const event = await a.get(FirehoseService).broadcast('s', 1);
      expect(event.sequence).toBe(1);
      expect((await b.get(FirehoseService).broadcast('s', 2)).sequence).toBe(2);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('the migration reverts cleanly and can be applied again (idempotent up, complete down)', async () => {
    const dataSource = new DataSource({ type: 'postgres', url: db.url, migrations: FIREHOSE_MIGRATIONS });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
      for (let i = 0; i < FIREHOSE_MIGRATIONS.length; i++) await dataSource.undoLastMigration();
      const left = await db.query("SELECT tablename FROM pg_tables WHERE tablename LIKE 'firehose_%' AND tablename <> 'firehose_migrations'");
      expect(left).toEqual([]);
      await dataSource.runMigrations();
      const schemaObjects = async () => ({
        tables: (await db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map((r) => r.tablename),
        functions: (await db.query("SELECT p.oid::regprocedure::text AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 1")).map((r) => r.f),
        indexes: (await db.query("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1")).map((r) => r.indexname),
      });
      const once = await schemaObjects();
      expect(once.tables).toEqual([
        'firehose_change_feed_tables',
        'firehose_change_relays',
        'firehose_change_staging',
        'firehose_channels',
        'firehose_ds_messages',
        'firehose_ds_producers',
        'firehose_ds_streams',
        'firehose_messages',
        'migrations',
      ]);
      // Running the same up() twice (the app's list and migrationsRun both applying it) is harmless
      // and leaves exactly the same tables, functions and indexes.
      for (const Migration of FIREHOSE_MIGRATIONS) {
        const queryRunner = dataSource.createQueryRunner();
        try {
          await new Migration().up(queryRunner);
        } finally {
          await queryRunner.release();
        }
      }
      expect(await schemaObjects()).toEqual(once);
    } finally {
      await dataSource.destroy();
    }
  });

  it('moves a database of the first change-feed design to the current one, keeping staged changes and table options', async () => {
    const dataSource = new DataSource({ type: 'postgres', url: db.url, migrations: FIREHOSE_MIGRATIONS });
    await dataSource.initialize();
    const event = (id: number) => JSON.stringify({ type: 'INSERT', schema: 'public', table: 'items', record: { id } });
    try {
      await dataSource.runMigrations();
      await dataSource.query('CREATE TABLE items (id int PRIMARY KEY, n int)');
      await dataSource.query(`SELECT firehose_enable_change_feed('public', 'items', ARRAY['id'], ARRAY['INSERT', 'UPDATE'])`);
      // What the first design left: statement triggers, a staging row per statement with its events
      // in an array, numbered by a deferred trigger on the staging table, and a 4-argument relay.
      await dataSource.query('DROP TRIGGER firehose_change_feed ON items');
      await dataSource.query(`CREATE FUNCTION first_design_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`);
      for (const op of ['insert', 'update']) {
        await dataSource.query(`CREATE TRIGGER firehose_change_feed_${op} AFTER ${op} ON items FOR EACH STATEMENT EXECUTE FUNCTION first_design_noop()`);
      }
      await dataSource.query('DROP TABLE firehose_change_staging');
      await dataSource.query('CREATE TABLE firehose_change_staging (id bigserial PRIMARY KEY, seq bigint, stream text NOT NULL, events text[] NOT NULL, n integer NOT NULL)');
      await dataSource.query(`CREATE FUNCTION firehose_change_precommit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`);
      await dataSource.query(
        'CREATE CONSTRAINT TRIGGER firehose_change_precommit AFTER INSERT ON firehose_change_staging DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION firehose_change_precommit()',
      );
      await dataSource.query(
        `CREATE FUNCTION firehose_change_relay(text, integer, integer, boolean) RETURNS TABLE (status text, appended integer, channel_ids integer[]) LANGUAGE sql AS $$ SELECT 'empty', 0, NULL::integer[] $$`,
      );
      await dataSource.query(
        `INSERT INTO firehose_change_staging (seq, stream, events, n) VALUES ($1, 'table:public.items', $2, 2), ($3, 'table:public.items', $4, 1)`,
        [5, [event(2), event(3)], 3, [event(1)]],
      );
      await dataSource.query(`DELETE FROM firehose_migrations WHERE name = 'UpgradeChangeFeedCapture1732350000000'`).catch(() => undefined);
      await dataSource.query(`DELETE FROM migrations WHERE name = 'UpgradeChangeFeedCapture1732350000000'`);

      await dataSource.runMigrations();
      const triggers = await dataSource.query(`SELECT tgname FROM pg_trigger WHERE tgrelid = 'items'::regclass ORDER BY 1`);
      expect(triggers.map((r: { tgname: string }) => r.tgname)).toEqual(['firehose_change_feed']);
      expect(await dataSource.query(`SELECT to_regprocedure('firehose_change_precommit()') AS f`)).toEqual([{ f: null }]);
      expect(await dataSource.query(`SELECT to_regprocedure('firehose_change_relay(text, integer, integer, boolean)') AS f`)).toEqual([{ f: null }]);
    } finally {
      await dataSource.destroy();
    }

    const t = await createFirehoseApp({ url: db.url });
    try {
      const received = collect(t.firehose.stream<any>('table:public.items', { lastEventId: 0 }), 5);
      await db.query('INSERT INTO items VALUES (4, 40)');
      await db.query('UPDATE items SET n = 41 WHERE id = 4');
      await db.query('DELETE FROM items WHERE id = 4');
      const events = (await received.done) as FirehoseEvent<any>[];
      expect(events.map((e) => [e.data.type, (e.data.record ?? e.data.old_record).id])).toEqual([
        ['INSERT', 1],
        ['INSERT', 2],
        ['INSERT', 3],
        ['INSERT', 4],
        ['UPDATE', 4],
      ]);
      // Columns kept: only `id` is sent.
      expect(events[3].data.record).toEqual({ id: 4 });
      // Operations kept: the DELETE is not captured. A later change shows the relay went past it.
      const after = collect(t.firehose.stream<any>('table:public.items', { lastEventId: events[4].id }), 1);
      await db.query('INSERT INTO items VALUES (5, 50)');
      const [next] = (await after.done) as FirehoseEvent<any>[];
      expect([next.data.type, next.data.record.id, next.sequence]).toEqual(['INSERT', 5, 6]);
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM firehose_messages m JOIN firehose_channels c ON c.id = m.channel_id WHERE c.name = 'table:public.items'`,
      );
      expect(n).toBe(6);
    } finally {
      await t.close();
    }
  }, 60_000);
});
