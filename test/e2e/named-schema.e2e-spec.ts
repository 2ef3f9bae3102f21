import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  CHANGE_FEED_MIGRATIONS,
  FIREHOSE_ENTITIES,
  FIREHOSE_MIGRATIONS,
  FirehoseChangeFeedModule,
  FirehoseChangeFeedService,
  FirehoseModule,
  FirehoseService,
  type FirehoseEvent,
  type TableChange,
} from '../../lib/index.js';
import { collect, collectLive } from '../utils/collect.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const SCHEMA = 'events_store';

/** An app whose Firehose lives on a second, named DataSource with its own schema; the default one is the app's. */
async function bootOnNamedDataSource(url: string) {
  @Module({
    imports: [
      TypeOrmModule.forRoot({ type: 'postgres', url }),
      TypeOrmModule.forRoot({
        name: 'events',
        type: 'postgres',
        url,
        schema: SCHEMA,
        entities: FIREHOSE_ENTITIES,
        migrations: [...FIREHOSE_MIGRATIONS, ...CHANGE_FEED_MIGRATIONS],
        migrationsRun: true,
      }),
      FirehoseModule.forRoot({ dataSource: 'events', reconnectDelay: 50 }),
      FirehoseChangeFeedModule,
    ],
  })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'], abortOnError: false });
  await app.init();
  return app;
}

describe('a named DataSource with a schema other than public', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('named_schema');
    await db.query(`CREATE SCHEMA ${SCHEMA}`);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('puts the tables in that schema, and broadcast, replay and change feeds work there', async () => {
    const app = await bootOnNamedDataSource(db.url);
    try {
      const firehose = app.get(FirehoseService);
      const changeFeeds = app.get(FirehoseChangeFeedService);
      const tables = await db.query(`SELECT schemaname, tablename FROM pg_tables WHERE tablename LIKE 'firehose_%' ORDER BY 1, 2`);
      expect(tables.length).toBeGreaterThan(0);
      expect(tables.filter((t) => t.schemaname !== SCHEMA)).toEqual([]);
      expect(tables.map((t) => t.tablename)).toEqual(
        expect.arrayContaining(['firehose_channels', 'firehose_messages', 'firehose_change_staging']),
      );

      // Broadcast, live.
      const live = await collectLive(firehose, 'in-schema', 1);
      const first = await firehose.broadcast('in-schema', { n: 1 });
      expect(await live.done).toEqual([first]);
      expect(await db.query(`SELECT id::int AS id FROM ${SCHEMA}.firehose_messages`)).toEqual([{ id: first.id }]);

      // Replay after a cursor.
      const second = await firehose.broadcast('in-schema', { n: 2 });
      expect(await collect(firehose.stream('in-schema', { lastEventId: 0 }), 2).done).toEqual([first, second]);

      // A change feed on a table of the app's (public) schema, relayed into this schema's log.
      await db.query('CREATE TABLE public.widgets (id int PRIMARY KEY, name text)');
      expect(await changeFeeds.enable('public', 'widgets')).toBe('table:public.widgets');
      const changes = collect(firehose.stream<TableChange<any>>('table:public.widgets', { lastEventId: second.id }), 2);
      await db.query(`INSERT INTO public.widgets VALUES (1, 'cog')`);
      await db.query(`UPDATE public.widgets SET name = 'gear'`);
      const events = (await changes.done) as FirehoseEvent<TableChange<any>>[];
      expect(events.map((e) => [e.data.type, e.data.record])).toEqual([
        ['INSERT', { id: 1, name: 'cog' }],
        ['UPDATE', { id: 1, name: 'gear' }],
      ]);
      expect(await changeFeeds.list()).toEqual([expect.objectContaining({ schema: 'public', table: 'widgets' })]);
    } finally {
      await app.close();
    }
  });
});
