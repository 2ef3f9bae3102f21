import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { FIREHOSE_ENTITIES, FirehoseModule, FirehoseTablesMissingError } from '../../lib/index.js';
import { CapturingLogger } from '../utils/capturing-logger.js';
import { createFirehoseAppFromModule } from '../utils/create-firehose-app-from-module.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

describe('boot checks and log volume', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('boot_logs');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('stops the boot with the fix when the migrations have not run, instead of retrying the listener', async () => {
    let dataSource: Promise<DataSource> | undefined;
    @Module({
      imports: [
        TypeOrmModule.forRootAsync({
          // No migrations at all: the app forgot FIREHOSE_MIGRATIONS.
          useFactory: () => ({ type: 'postgres' as const, url: db.url, entities: FIREHOSE_ENTITIES }),
          dataSourceFactory: async (options) => {
            dataSource = new DataSource(options as DataSourceOptions).initialize();
            return dataSource;
          },
        }),
        FirehoseModule.forRoot({ reconnectDelay: 50 }),
      ],
    })
    class ForgotMigrationsModule {}
    const logger = new CapturingLogger();
    const error = await NestFactory.createApplicationContext(ForgotMigrationsModule, { logger, abortOnError: false }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    await dataSource?.then((ds) => ds.destroy()).catch(() => undefined);
    expect(error).toBeInstanceOf(FirehoseTablesMissingError);
    expect((error as Error).message).toBe(
      'The Firehose tables are missing (firehose_channels, firehose_messages, firehose_append, firehose_notify_key not found; ' +
        'created by CreateFirehoseTables1732320000000, SignFirehoseNotifications1732350000000): add FIREHOSE_MIGRATIONS to ' +
        "your DataSource's migrations with migrationsRun: true, or let the module apply them with FirehoseModule.forRoot({ migrationsRun: true }).",
    );
    // It failed before any LISTEN attempt: nothing was retried.
    expect(logger.messages('warn').filter((message) => message.includes('LISTEN'))).toEqual([]);
  });

  it('logs nothing per broadcast, at every Nest log level', async () => {
    const logger = new CapturingLogger();
    const t = await createFirehoseAppFromModule({ url: db.url, firehoseModule: FirehoseModule.forRoot({ reconnectDelay: 50 }), logger });
    try {
      await t.firehose.broadcast('warm-up', 0);
      const before = logger.logs.length;
      await Promise.all(Array.from({ length: 20 }, (_, n) => t.firehose.broadcast('quiet', { n })));
      for (let n = 0; n < 5; n++) await t.firehose.broadcast('quiet', { n });
      expect(logger.logs.slice(before)).toEqual([]);
      // The logger does record: the boot logged through it.
      expect(before).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});
