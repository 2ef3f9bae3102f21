import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AllowAllStreamsAuthorizer, FIREHOSE_MIGRATIONS, FirehoseChangeFeedModule, FirehoseModule } from '../../lib/index.js';
import { sleep } from '../utils/collect.js';
import { PgStatementRecorder } from '../utils/pg-statement-recorder.js';
import { openSse } from '../utils/sse-client.js';
import { TcpProxy } from '../utils/tcp-proxy.js';
import { testDataSourceOptions } from '../utils/test-data-source-options.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/** How long the app is left alone while its statements are recorded. */
const IDLE_MS = 5_000;

/**
 * Objects of the feature modules: Durable Streams' tables and functions, the change feed's
 * registry, staging table, sequences and functions, and the relay's wake channel.
 */
const FEATURE_OBJECTS = /firehose_ds_|firehose_change_|firehose_changes\b|change_feeds?\b/;

const mentioningFeatures = (statements: string[]) => statements.filter((sql) => FEATURE_OBJECTS.test(sql));

/** Fails with every statement listed (a statement's whitespace folded), the offending ones marked. */
function expectNoFeatureStatements(statements: string[], what: string): void {
  const offending = mentioningFeatures(statements);
  if (offending.length === 0) return;
  const list = statements.map((sql) => `${offending.includes(sql) ? '  >> ' : '     '}${sql.replace(/\s+/g, ' ').trim().slice(0, 300)}`);
  throw new Error(
    `${offending.length} of the ${statements.length} statements the app sent ${what} touch a feature module's objects:\n${list.join('\n')}`,
  );
}

interface RecordedApp {
  app: INestApplication;
  baseUrl: string;
  recorder: PgStatementRecorder;
  close(): Promise<void>;
}

/**
 * An HTTP app whose DataSource (pool and LISTEN connection alike) reaches PostgreSQL through a
 * proxy that records every statement. Its DataSource knows only the migrations of `features`.
 */
async function createRecordedApp(url: string, options: { changeFeeds: boolean }): Promise<RecordedApp> {
  const proxy = TcpProxy.forUrl(url);
  await proxy.start();
  const recorder = new PgStatementRecorder(proxy);
  @Module({
    imports: [
      TypeOrmModule.forRoot(testDataSourceOptions(proxy.rewrite(url), options.changeFeeds ? ['change-feed'] : [])),
      FirehoseModule.forRoot({ reconnectDelay: 50, authorizer: AllowAllStreamsAuthorizer }),
      ...(options.changeFeeds ? [FirehoseChangeFeedModule] : []),
    ],
  })
  class RecordedAppModule {}
  try {
    const app = await NestFactory.create(RecordedAppModule, {
      logger: ['error', 'warn'],
      forceCloseConnections: true,
      abortOnError: false,
    });
    app.useWebSocketAdapter(new WsAdapter(app));
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    return {
      app,
      baseUrl: `http://127.0.0.1:${port}`,
      recorder,
      close: async () => {
        await app.close();
        await proxy.stop();
      },
    };
  } catch (error) {
    await proxy.stop();
    throw error;
  }
}

describe('an app with only FirehoseModule', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase('core_only');
  });
  afterEach(async () => {
    await db?.drop();
  });

  it('creates only the core tables, mounts only the core routes and sends no feature statement, booting or idle', async () => {
    const t = await createRecordedApp(db.url, { changeFeeds: false });
    try {
      // The recorder sees both the pool and the LISTEN connection.
      const boot = t.recorder.since(0);
      expect(boot).toContainEqual(expect.stringMatching(/^LISTEN /));
      expect(boot).toContainEqual(expect.stringMatching(/CREATE TABLE IF NOT EXISTS firehose_messages/));

      const relations = await db.query<{ relname: string }>(
        `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S') ORDER BY 1`,
      );
      expect(relations.map((r) => r.relname)).toEqual([
        'firehose_channels',
        'firehose_channels_id_seq',
        'firehose_messages',
        'firehose_messages_id_seq',
        'firehose_notify_key',
        'migrations',
        'migrations_id_seq',
      ]);
      const functions = await db.query<{ proname: string }>(
        `SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 1`,
      );
      expect(functions.map((f) => f.proname)).toEqual(['firehose_append']);
      const applied = await db.query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
      expect(applied.map((m) => m.name)).toEqual(FIREHOSE_MIGRATIONS.map((m) => m.name));

      const client = await fetch(`${t.baseUrl}/firehose/client.js`);
      expect(client.status).toBe(200);
      expect(client.headers.get('content-type')).toMatch(/javascript/);
      await client.body?.cancel();
      const sse = await openSse(`${t.baseUrl}/firehose/sse?streams=a`);
      expect(sse.status).toBe(200);
      expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
      sse.close();
      const durableStream = await fetch(`${t.baseUrl}/v1/stream/x`);
      expect(durableStream.status).toBe(404);
      await durableStream.body?.cancel();

      await sleep(200);
      const idleFrom = Date.now();
      await sleep(IDLE_MS);
      const idle = t.recorder.since(idleFrom);
      expectNoFeatureStatements(idle, `in ${IDLE_MS} ms of idleness`);
      expectNoFeatureStatements(t.recorder.since(0), 'from boot to the end of the idle time');
    } finally {
      await t.close();
    }
  }, 60_000);

  it('the same recording catches the change-feed relay once FirehoseChangeFeedModule is imported', async () => {
    const t = await createRecordedApp(db.url, { changeFeeds: true });
    try {
      await sleep(200);
      const idleFrom = Date.now();
      await sleep(IDLE_MS);
      const idle = t.recorder.since(idleFrom);
      // An idle relay looks for work about once a second (CHANGE_RELAY_IDLE_POLL).
      expect(mentioningFeatures(idle)).toContainEqual(expect.stringMatching(/FROM firehose_change_relay\(/));
      expect(() => expectNoFeatureStatements(idle, 'while idle')).toThrow(/firehose_change_relay/);
    } finally {
      await t.close();
    }
  }, 60_000);
});
