// A plain-JS Nest app with FirehoseModule and Durable Streams, for the vitest conformance run and
// the benchmark (neither compiles decorators). Each call gets a fresh database.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { TypeOrmModule } from '@nestjs/typeorm';
import pg from 'pg';
import {
  DURABLE_STREAMS_MIGRATIONS,
  DurableStreamsModule,
  FIREHOSE_ENTITIES,
  FIREHOSE_MIGRATIONS,
  FirehoseModule,
} from '../../dist/lib/index.js';

function adminUrl() {
  const url = process.env.FIREHOSE_TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('Set DATABASE_URL to a PostgreSQL server the tests may create databases on.');
  return url;
}

export async function createDatabase(label) {
  const name = `firehose_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: adminUrl() });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/** Starts the app on a free loopback port; `databaseUrl` reuses a database instead of creating one. */
export async function startDurableStreamsApp(label, durableStreams = {}, { databaseUrl, port = 0 } = {}) {
  const database = databaseUrl ? { url: databaseUrl, drop: async () => undefined } : await createDatabase(label);
  class DurableStreamsAppModule {}
  Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: database.url,
        entities: FIREHOSE_ENTITIES,
        migrations: [...FIREHOSE_MIGRATIONS, ...DURABLE_STREAMS_MIGRATIONS],
        migrationsRun: true,
        poolSize: 20,
      }),
      FirehoseModule.forRoot(),
      DurableStreamsModule.forRoot(durableStreams),
    ],
  })(DurableStreamsAppModule);
  const app = await NestFactory.create(DurableStreamsAppModule, {
    logger: ['error', 'warn'],
    forceCloseConnections: true,
    abortOnError: false,
  });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(port, '127.0.0.1');
  const address = app.getHttpServer().address();
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    databaseUrl: database.url,
    httpServer: app.getHttpServer(),
    close: async () => {
      await app.close();
      if (!databaseUrl) await database.drop();
    },
  };
}
