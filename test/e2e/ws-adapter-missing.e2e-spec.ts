import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FirehoseModule, FirehoseWsAdapterMissingError } from '../../lib/index.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { testDataSourceOptions } from '../utils/test-data-source-options.js';

/**
 * An HTTP app that forgets `app.useWebSocketAdapter(new WsAdapter(app))`: Nest would look for
 * socket.io (and, as it is not installed, log an install hint and exit the process). The boot must
 * fail instead with the line to add, and the app must still close.
 */
describe('an app without the WsAdapter', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('ws_adapter_missing');
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function createApp(): Promise<INestApplication> {
    @Module({ imports: [TypeOrmModule.forRoot(testDataSourceOptions(db.url)), FirehoseModule.forRoot({})] })
    class AppModule {}
    return NestFactory.create(AppModule, { logger: false, abortOnError: false });
  }

  it('fails init() saying which line to add and where it comes from', async () => {
    const app = await createApp();
    try {
      const error = await app.init().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(FirehoseWsAdapterMissingError);
      expect((error as Error).message).toContain('app.useWebSocketAdapter(new WsAdapter(app));');
      expect((error as Error).message).toContain("import { WsAdapter } from '@nestjs/platform-ws';");
    } finally {
      await app.close();
    }
  });

  it('boots with it, and a second app in the same process is checked on its own', async () => {
    const app = await createApp();
    app.useWebSocketAdapter(new WsAdapter(app));
    try {
      await app.init();
    } finally {
      await app.close();
    }
    const forgetful = await createApp();
    try {
      await expect(forgetful.init()).rejects.toBeInstanceOf(FirehoseWsAdapterMissingError);
    } finally {
      await forgetful.close();
    }
  });
});
