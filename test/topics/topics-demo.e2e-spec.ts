import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { Page } from 'playwright-core';
import { AppModule } from '../../sample/app.module.js';
import { type HeadlessChromium, launchChromium } from '../browser/utils/chromium.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/** The sample board's typing indicator: an ephemeral topic between two tabs of a real browser. */
describe('sample demo page: typing indicator over a topic', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  let browser: HeadlessChromium;
  const tabs: Page[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('topics_demo');
    app = await NestFactory.create(AppModule.forDatabase(db.url), {
      logger: ['error', 'warn'],
      forceCloseConnections: true,
      abortOnError: false,
    });
    app.useWebSocketAdapter(new WsAdapter(app));
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const tab of tabs) await tab.close();
    await browser?.close();
    await app?.close();
    await db?.drop();
  });

  it('shows in every tab who is typing in another', async () => {
    for (let i = 0; i < 2; i++) {
      const tab = await browser.context.newPage();
      tabs.push(tab);
      await tab.goto(`${baseUrl}/`);
    }
    const [writer, reader] = tabs;
    // Both listen before anyone types: a topic keeps nothing for latecomers.
    await reader.waitForFunction(() => (globalThis as any).Firehose?.listenTopic !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await writer.locator('#post input[name=text]').pressSequentially('hel');
    await reader.locator('#typing li', { hasText: /^tab-\w+ is typing…$/ }).waitFor({ timeout: 10_000 });
    await writer.locator('#typing li', { hasText: '(this tab) is typing…' }).waitFor({ timeout: 10_000 });
    // Gone once the typing stops.
    await reader.locator('#typing li').waitFor({ state: 'detached', timeout: 10_000 });
  });
});
