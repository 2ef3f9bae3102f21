import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  CHANGE_FEED_MIGRATIONS,
  DURABLE_STREAMS_MIGRATIONS,
  FIREHOSE_ENTITIES,
  FIREHOSE_MIGRATIONS,
  FirehoseModule,
  FirehoseService,
  FirehoseTablesMissingError,
} from '../../lib/index.js';
import { collect, collectLive } from '../utils/collect.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const ALL_MIGRATIONS = [...FIREHOSE_MIGRATIONS, ...DURABLE_STREAMS_MIGRATIONS, ...CHANGE_FEED_MIGRATIONS];

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

/** An app that applies no migration at all: it finds the database as it is. */
async function bootWithDataSourceMigrations(url: string) {
  @Module({
    imports: [
      TypeOrmModule.forRoot({ type: 'postgres', url, entities: FIREHOSE_ENTITIES }),
      FirehoseModule.forRoot({ reconnectDelay: 50 }),
    ],
  })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
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

  it('an install made before notifications were signed is refused at boot with the migration to run, and upgrades with it', async () => {
    const [createTables, signNotifications] = FIREHOSE_MIGRATIONS;
    const old = new DataSource({ type: 'postgres', url: db.url, migrations: [createTables], migrationsTableName: 'firehose_migrations' });
    await old.initialize();
    await old.runMigrations();
    await old.destroy();
    await db.query(`SELECT firehose_append(ARRAY['s'], ARRAY['{"before":true}'], 'firehose', 7999)`);

    const refused = await bootWithDataSourceMigrations(db.url).catch((error: Error) => error);
    expect(refused).toBeInstanceOf(FirehoseTablesMissingError);
    expect((refused as Error).message).toMatch(
      /^The Firehose tables are missing \(firehose_notify_key not found; created by SignFirehoseNotifications1732350000000\)/,
    );

    const app = await bootWithModuleMigrations(db.url);
    try {
      const firehose = app.get(FirehoseService);
      const both = collect(firehose.stream('s', { lastEventId: 0 }), 2);
      const event = await firehose.broadcast('s', { after: true });
      const [before, after] = await both.done;
      expect(before).toMatchObject({ data: { before: true }, sequence: 1 });
      expect(after).toEqual(event);
      expect((await db.query('SELECT name FROM firehose_migrations ORDER BY id')).map((r) => r.name)).toEqual([
        createTables.name,
        signNotifications.name,
      ]);
    } finally {
      await app.close();
    }
  });

  it('the migration reverts cleanly and can be applied again (idempotent up, complete down)', async () => {
    const dataSource = new DataSource({ type: 'postgres', url: db.url, migrations: ALL_MIGRATIONS });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
      for (let i = 0; i < ALL_MIGRATIONS.length; i++) await dataSource.undoLastMigration();
      const left = await db.query(
        "SELECT tablename FROM pg_tables WHERE tablename LIKE 'firehose_%' AND tablename <> 'firehose_migrations'",
      );
      expect(left).toEqual([]);
      await dataSource.runMigrations();
      const schemaObjects = async () => ({
        tables: (await db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map((r) => r.tablename),
        functions: (
          await db.query(
            "SELECT p.oid::regprocedure::text AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 1",
          )
        ).map((r) => r.f),
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
        'firehose_notify_key',
        'migrations',
      ]);
      const [key] = await db.query('SELECT key FROM firehose_notify_key');
      // Running the same up() twice (the app's list and migrationsRun both applying it) is harmless
      // and leaves exactly the same tables, functions and indexes.
      for (const Migration of ALL_MIGRATIONS) {
        const queryRunner = dataSource.createQueryRunner();
        try {
          await new Migration().up(queryRunner);
        } finally {
          await queryRunner.release();
        }
      }
      expect(await schemaObjects()).toEqual(once);
      // The key stays: processes already running keep signing with it.
      expect(await db.query('SELECT key FROM firehose_notify_key')).toEqual([key]);
    } finally {
      await dataSource.destroy();
    }
  });
});
