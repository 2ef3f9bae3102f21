import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DurableStreamsConfigurationError } from '../../lib/durable-streams/errors/durable-streams-configuration.error.js';
import { AllowAllDurableStreamsAuthorizer, DurableStreamsModule, FirehoseModule } from '../../lib/index.js';
import { testDataSourceOptions } from '../utils/test-data-source-options.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/** A listening Express app with TypeORM, FirehoseModule and `features`; only the core's migrations unless Durable Streams is imported. */
async function startApp(url: string, features: DynamicModule[]): Promise<{ app: INestApplication; base: string }> {
  const withDurableStreams = features.some((feature) => feature.module === DurableStreamsModule);
  @Module({
    imports: [
      TypeOrmModule.forRoot(testDataSourceOptions(url, withDurableStreams ? ['durable-streams'] : [])),
      FirehoseModule.forRoot({ reconnectDelay: 50 }),
      ...features,
    ],
  })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'], forceCloseConnections: true, abortOnError: false });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  return { app, base: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` };
}

const durableStreamsTables = (db: TestDatabase) =>
  db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'firehose_ds_%' ORDER BY table_name`,
  );

describe('DurableStreamsModule is opt-in', () => {
  let db: TestDatabase;
  let app: INestApplication | undefined;

  beforeEach(async () => {
    db = await createTestDatabase('ds_module');
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await db?.drop();
  });

  it('an app with FirehoseModule alone serves no Durable Streams route and needs none of its tables', async () => {
    const started = await startApp(db.url, []);
    app = started.app;
    const put = await fetch(`${started.base}/v1/stream/x`, { method: 'PUT', headers: { 'content-type': 'text/plain' } });
    expect(put.status).toBe(404);
    expect((await fetch(`${started.base}/v1/stream/x?offset=-1`)).status).toBe(404);
    expect(put.headers.get('stream-next-offset')).toBeNull();
    expect(await durableStreamsTables(db)).toEqual([]);
  });

  it('serves the protocol at its configured path when imported, and nothing at the default one', async () => {
    const started = await startApp(db.url, [
      DurableStreamsModule.forRoot({ path: '/custom/streams/', authorizer: AllowAllDurableStreamsAuthorizer }),
    ]);
    app = started.app;
    const put = await fetch(`${started.base}/custom/streams/x`, { method: 'PUT', headers: { 'content-type': 'text/plain' } });
    expect(put.status).toBe(201);
    const append = await fetch(`${started.base}/custom/streams/x`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(append.status).toBe(204);
    const read = await fetch(`${started.base}/custom/streams/x?offset=-1`);
    expect(read.status).toBe(200);
    expect(await read.text()).toBe('hello');
    expect(read.headers.get('stream-up-to-date')).toBe('true');
    expect((await fetch(`${started.base}/v1/stream/x`, { method: 'PUT' })).status).toBe(404);
    expect((await durableStreamsTables(db)).map((row) => row.table_name)).toEqual([
      'firehose_ds_messages',
      'firehose_ds_producers',
      'firehose_ds_streams',
    ]);
  });
});

describe('DurableStreamsModule.forRoot options', () => {
  it('are checked when the module is imported, with a typed error naming the option', () => {
    expect(() => DurableStreamsModule.forRoot({ path: '/' })).toThrow(DurableStreamsConfigurationError);
    expect(() => DurableStreamsModule.forRoot({ path: 'v1/stream' })).toThrow(/path "v1\/stream" must be a URL path/);
    expect(() => DurableStreamsModule.forRoot({ longPollTimeout: 0 })).toThrow(/longPollTimeout must be a positive integer/);
    expect(() => DurableStreamsModule.forRoot({ readCacheBytes: -1 })).toThrow(/readCacheBytes must be a non-negative integer/);
    expect(() => DurableStreamsModule.forRoot({ allowedOrigins: ['https://app.example.com/'] })).toThrow(
      /allowedOrigins must list origins/,
    );
    expect(() => DurableStreamsModule.forRoot({ maxOpenReads: 0 })).toThrow(/maxOpenReads must be a positive integer/);
    expect(() => DurableStreamsModule.forRoot({ guards: ['nope' as never] })).toThrow(/guards must be an array of guard classes/);
    expect(() => DurableStreamsModule.forRoot()).not.toThrow();
  });
});
