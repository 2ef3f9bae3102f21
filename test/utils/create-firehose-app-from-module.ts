import { Module, type DynamicModule, type LoggerService, type LogLevel, type Provider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { firehoseTestApp, type FirehoseTestApp } from './create-firehose-app.js';
import { testDataSourceOptions } from './test-data-source-options.js';

export interface FirehoseAppFromModuleOptions {
  url: string;
  /** The Firehose registration under test, e.g. `FirehoseModule.forRootAsync({ useClass })`. */
  firehoseModule: DynamicModule;
  providers?: Provider[];
  imports?: Array<Type | DynamicModule>;
  /** Nest logger option; defaults to errors and warnings only. */
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Like createFirehoseApp, but takes the Firehose module as built by the test, and fails by
 * rejecting (Nest's default on a boot error is process.exit, which would kill the Jest worker).
 * On failure the TypeORM DataSource it opened is destroyed, so nothing leaks from a failed boot.
 */
export async function createFirehoseAppFromModule(options: FirehoseAppFromModuleOptions): Promise<FirehoseTestApp> {
  let dataSource: Promise<DataSource> | undefined;
  @Module({
    imports: [
      TypeOrmModule.forRootAsync({
        useFactory: () => testDataSourceOptions(options.url),
        dataSourceFactory: async (dataSourceOptions) => {
          dataSource = new DataSource(dataSourceOptions as DataSourceOptions).initialize();
          return dataSource;
        },
      }),
      options.firehoseModule,
      ...(options.imports ?? []),
    ],
    providers: options.providers ?? [],
  })
  class TestAppModule {}
  try {
    const app = await NestFactory.createApplicationContext(TestAppModule, {
      logger: options.logger ?? ['error', 'warn'],
      abortOnError: false,
    });
    await app.init();
    return firehoseTestApp(app);
  } catch (error) {
    await dataSource?.then((ds) => ds.destroy()).catch(() => undefined);
    throw error;
  }
}
