import { Module, type DynamicModule, type INestApplicationContext, type Provider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  DurableStreamsModule,
  FirehoseChangeFeedModule,
  FirehoseChangeFeedService,
  FirehoseModule,
  FirehoseService,
  type DurableStreamsOptions,
  type FirehoseModuleOptions,
} from '../../lib/index.js';
import { testDataSourceOptions } from './test-data-source-options.js';

export interface FirehoseTestApp {
  app: INestApplicationContext;
  firehose: FirehoseService;
  /** The change-feed service; the app imports FirehoseChangeFeedModule only with `changeFeeds: true`. */
  readonly changeFeeds: FirehoseChangeFeedService;
  close(): Promise<void>;
}

export interface FirehoseTestAppOptions {
  url: string;
  firehose?: FirehoseModuleOptions;
  /** Use forRootAsync with a factory instead of forRoot. */
  async?: boolean;
  /** Import FirehoseChangeFeedModule. */
  changeFeeds?: boolean;
  /** Import DurableStreamsModule.forRoot(durableStreams). */
  durableStreams?: DurableStreamsOptions;
  providers?: Provider[];
  imports?: Array<Type | DynamicModule>;
}

/** A Nest application context with TypeORM on `url` and the Firehose module; migrations applied. */
export async function createFirehoseApp(options: FirehoseTestAppOptions): Promise<FirehoseTestApp> {
  const firehoseOptions = { reconnectDelay: 50, ...options.firehose };
  @Module({
    imports: [
      TypeOrmModule.forRoot(testDataSourceOptions(options.url)),
      options.async ? FirehoseModule.forRootAsync({ useFactory: async () => firehoseOptions }) : FirehoseModule.forRoot(firehoseOptions),
      ...(options.changeFeeds ? [FirehoseChangeFeedModule] : []),
      ...(options.durableStreams ? [DurableStreamsModule.forRoot(options.durableStreams)] : []),
      ...(options.imports ?? []),
    ],
    providers: options.providers ?? [],
  })
  class TestAppModule {}
  const app = await NestFactory.createApplicationContext(TestAppModule, { logger: ['error', 'warn'] });
  await app.init();
  return firehoseTestApp(app);
}

/** The handles tests use on a booted app; the change-feed service is looked up only when used. */
export function firehoseTestApp(app: INestApplicationContext): FirehoseTestApp {
  return {
    app,
    firehose: app.get(FirehoseService),
    get changeFeeds() {
      return app.get(FirehoseChangeFeedService);
    },
    close: () => app.close(),
  };
}
