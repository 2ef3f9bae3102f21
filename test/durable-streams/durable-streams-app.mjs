// A plain-JS Nest app with FirehoseModule and Durable Streams, for the vitest conformance run and
// the cross-process test (neither compiles decorators). Each call gets a fresh database. Every
// request is allowed and every origin may call it (the suite sends CORS preflights); the app
// trusts its loopback proxy, so `Location` is an absolute URL, as the suite checks.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { TypeOrmModule } from '@nestjs/typeorm';
import pg from 'pg';
import {
  AllowAllDurableStreamsAuthorizer,
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

/**
 * The app's @nestjs/throttler setup for `throttle` ({ limit, ttl, global }): ThrottlerGuard on the
 * Durable Streams routes (the module's `guards`), or on every route (APP_GUARD) when `global`.
 */
async function throttling(throttle) {
  if (!throttle) return { imports: [], providers: [], durableStreams: {} };
  const [{ ThrottlerGuard, ThrottlerModule }, { APP_GUARD }] = await Promise.all([import('@nestjs/throttler'), import('@nestjs/core')]);
  const throttler = ThrottlerModule.forRoot([{ ttl: throttle.ttl ?? 60_000, limit: throttle.limit }]);
  return throttle.global
    ? { imports: [throttler], providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }], durableStreams: {} }
    : { imports: [throttler], providers: [], durableStreams: { guards: [ThrottlerGuard], imports: [throttler] } };
}

/** Starts the app on a free loopback port; `databaseUrl` reuses a database instead of creating one. */
export async function startDurableStreamsApp(label, durableStreams = {}, { databaseUrl, port = 0, throttle } = {}) {
  const database = databaseUrl ? { url: databaseUrl, drop: async () => undefined } : await createDatabase(label);
  const extra = await throttling(throttle);
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
      ...extra.imports,
      DurableStreamsModule.forRoot({
        authorizer: AllowAllDurableStreamsAuthorizer,
        allowedOrigins: ['*'],
        ...extra.durableStreams,
        ...durableStreams,
      }),
    ],
    providers: extra.providers,
  })(DurableStreamsAppModule);
  const app = await NestFactory.create(DurableStreamsAppModule, {
    logger: ['error', 'warn'],
    forceCloseConnections: true,
    abortOnError: false,
  });
  app.useWebSocketAdapter(new WsAdapter(app));
  app.set('trust proxy', 'loopback');
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
