import {
  Module,
  type DynamicModule,
  type INestApplication,
  type LoggerService,
  type LogLevel,
  type Provider,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  DurableStreamsModule,
  FirehoseChangeFeedModule,
  FirehoseChangeFeedService,
  FirehoseModule,
  FirehoseService,
  type DurableStreamsOptions,
} from '../../lib/index.js';
import { testDataSourceOptions } from './test-data-source-options.js';

export interface FirehoseHttpApp {
  app: INestApplication;
  firehose: FirehoseService;
  /** The change-feed service; the app imports FirehoseChangeFeedModule only with `changeFeeds: true`. */
  readonly changeFeeds: FirehoseChangeFeedService;
  /** `http://127.0.0.1:<port>` of the listening app. */
  baseUrl: string;
  /** `ws://127.0.0.1:<port>` of the listening app. */
  wsUrl: string;
  close(): Promise<void>;
}

export interface FirehoseHttpAppOptions {
  url: string;
  /** Argument of FirehoseModule.forRoot (options and extras); reconnectDelay is shortened for tests. */
  firehose?: Parameters<typeof FirehoseModule.forRoot>[0];
  /** A registration built by the test (e.g. forRootAsync) instead of forRoot(firehose). */
  firehoseModule?: DynamicModule;
  /** Import FirehoseChangeFeedModule. */
  changeFeeds?: boolean;
  /** Import DurableStreamsModule.forRoot(durableStreams). */
  durableStreams?: DurableStreamsOptions;
  providers?: Provider[];
  /** The app's own controllers (e.g. an @Sse() route). */
  controllers?: Type[];
  imports?: Array<Type | DynamicModule>;
  logger?: LoggerService | LogLevel[] | false;
  /** `app.enableCors(cors)` before listening, as an app with cross-origin pages would. */
  cors?: Parameters<INestApplication['enableCors']>[0];
  /** Close open connections at app.close() (default true); false shows the module ends them itself. */
  forceCloseConnections?: boolean;
  /** Called before the app listens, as a main.ts would (useGlobalGuards, setGlobalPrefix, set('trust proxy')). */
  configure?: (app: NestExpressApplication) => void;
}

/** A real HTTP Nest app (Express, with the `ws` WebSocket adapter) with TypeORM and FirehoseModule, listening on a free loopback port. */
export async function createFirehoseHttpApp(options: FirehoseHttpAppOptions): Promise<FirehoseHttpApp> {
  @Module({
    imports: [
      TypeOrmModule.forRoot(testDataSourceOptions(options.url)),
      options.firehoseModule ?? FirehoseModule.forRoot({ reconnectDelay: 50, ...options.firehose }),
      ...(options.changeFeeds ? [FirehoseChangeFeedModule] : []),
      ...(options.durableStreams ? [DurableStreamsModule.forRoot(options.durableStreams)] : []),
      ...(options.imports ?? []),
    ],
    providers: options.providers ?? [],
    controllers: options.controllers ?? [],
  })
  class TestHttpAppModule {}
  const app = await NestFactory.create<NestExpressApplication>(TestHttpAppModule, {
    logger: options.logger ?? ['error', 'warn'],
    forceCloseConnections: options.forceCloseConnections ?? true,
    abortOnError: false,
  });
  // Before init, as the README asks of every app: without it Nest looks for socket.io.
  app.useWebSocketAdapter(new WsAdapter(app));
  if (options.cors) app.enableCors(options.cors);
  options.configure?.(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    app,
    firehose: app.get(FirehoseService),
    get changeFeeds() {
      return app.get(FirehoseChangeFeedService);
    },
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    close: () => app.close(),
  };
}
