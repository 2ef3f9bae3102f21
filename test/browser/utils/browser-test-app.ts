import { Module, type INestApplication, type Provider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FirehoseModule, FirehoseService } from '../../../lib/index.js';
import { testDataSourceOptions } from '../../utils/test-data-source-options.js';
import { TestPageController } from './test-page.controller.js';

export interface BrowserTestApp {
  app: INestApplication;
  firehose: FirehoseService;
  port: number;
  baseUrl: string;
  close(): Promise<void>;
}

export interface BrowserTestAppOptions {
  url: string;
  /** 0 for any free port; a restart passes the port of the app it replaces. */
  port?: number;
  firehose?: Parameters<typeof FirehoseModule.forRoot>[0];
  providers?: Provider[];
  module?: Type;
}

/**
 * A real Nest app (Express + `ws`) serving the Firehose transports and the browser client, on a
 * port the caller may choose: a restarted server must come back where the page's socket was.
 */
export async function startBrowserTestApp(options: BrowserTestAppOptions): Promise<BrowserTestApp> {
  @Module({
    imports: [
      TypeOrmModule.forRoot(testDataSourceOptions(options.url)),
      FirehoseModule.forRoot({ reconnectDelay: 50, ...options.firehose }),
    ],
    controllers: [TestPageController],
    providers: options.providers ?? [],
  })
  class BrowserTestAppModule {}
  const app = await NestFactory.create(options.module ?? BrowserTestAppModule, {
    logger: ['error', 'warn'],
    forceCloseConnections: true,
    abortOnError: false,
  });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(options.port ?? 0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, firehose: app.get(FirehoseService), port, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}
