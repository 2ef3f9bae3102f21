import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Page } from 'playwright-core';
import {
  AllowAllStreamsAuthorizer,
  AllowAllTopicsAuthorizer,
  FirehoseModule,
  FirehoseTopicsModule,
  FirehoseTopicsService,
} from '../../lib/index.js';
import { type BrowserTestApp, startBrowserTestApp } from '../browser/utils/browser-test-app.js';
import { type HeadlessChromium, launchChromium } from '../browser/utils/chromium.js';
import { TestPageController } from '../browser/utils/test-page.controller.js';
import { openTestPage } from '../browser/utils/test-page.js';
import { testDataSourceOptions } from '../utils/test-data-source-options.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

describe('browser client: ephemeral topics in headless Chromium', () => {
  let db: TestDatabase;
  let t: BrowserTestApp;
  let browser: HeadlessChromium;
  let page: Page;

  beforeAll(async () => {
    db = await createTestDatabase('topics_browser');
    @Module({
      imports: [
        TypeOrmModule.forRoot(testDataSourceOptions(db.url)),
        FirehoseModule.forRoot({ authorizer: AllowAllStreamsAuthorizer, reconnectDelay: 50 }),
        // Compressed: the browser decodes gzip itself, message by message.
        FirehoseTopicsModule.forRoot({ authorizer: AllowAllTopicsAuthorizer, sseCompression: true }),
      ],
      controllers: [TestPageController],
    })
    class TopicsBrowserModule {}
    [t, browser] = await Promise.all([startBrowserTestApp({ url: db.url, module: TopicsBrowserModule }), launchChromium()]);
  });
  beforeEach(async () => {
    page = await openTestPage(browser.context, t.baseUrl);
    await page.evaluate(() => {
      (globalThis as any).__topics = [];
      (globalThis as any).document.addEventListener('firehose:topic', (e: { detail: unknown }) =>
        (globalThis as any).__topics.push(e.detail),
      );
    });
  });
  afterEach(async () => {
    await page?.close();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await db?.drop();
  });

  const topicEvents = () => page.evaluate(() => (globalThis as any).__topics as Array<{ path: string; topic: string; data: unknown }>);
  const subscribers = (topic: string) =>
    t.app
      .get(FirehoseTopicsService)
      .stats()
      .topics.find((stats) => stats.topic === topic)?.subscribers ?? 0;
  const waitForSubscribers = async (topic: string, count: number) => {
    for (let tries = 0; subscribers(topic) !== count; tries++) {
      if (tries > 200) throw new Error(`expected ${count} subscribers of ${topic}, have ${subscribers(topic)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  it('listens to a topic over one compressed EventSource, and publishes to it from the page', async () => {
    await page.evaluate(() => {
      const w = globalThis as any;
      w.__callbacks = [];
      w.__stopA = w.Firehose.listenTopic('typing', (data: unknown) => w.__callbacks.push(['a', data]));
      w.__stopB = w.Firehose.listenTopic('typing', (data: unknown) => w.__callbacks.push(['b', data]));
    });
    // Two listeners, one stream.
    await waitForSubscribers('typing', 1);
    await t.app.get(FirehoseTopicsService).publish('typing', { who: 'server' });
    await page.evaluate(() => (globalThis as any).Firehose.publishTopic('typing', { who: 'page' }));
    await page.waitForFunction(() => (globalThis as any).__topics.length >= 2);
    expect(await topicEvents()).toEqual([
      { path: '/topics', topic: 'typing', data: { who: 'server' } },
      { path: '/topics', topic: 'typing', data: { who: 'page' } },
    ]);
    expect(await page.evaluate(() => (globalThis as any).__callbacks)).toEqual([
      ['a', { who: 'server' }],
      ['b', { who: 'server' }],
      ['a', { who: 'page' }],
      ['b', { who: 'page' }],
    ]);
    // The stream closes after the last listener stops.
    await page.evaluate(() => (globalThis as any).__stopA());
    expect(subscribers('typing')).toBe(1);
    await page.evaluate(() => (globalThis as any).__stopB());
    await waitForSubscribers('typing', 0);
  });

  it('refuses an invalid topic id before any request, and reports a refused publish', async () => {
    const listen = await page.evaluate(() => {
      try {
        (globalThis as any).Firehose.listenTopic('../x');
        return 'no error';
      } catch (error) {
        return String(error);
      }
    });
    expect(listen).toMatch(/^TypeError: Firehose: invalid topic id "\.\.\/x"/);
    const publish = await page.evaluate(() =>
      (globalThis as any).Firehose.publishTopic('big', 'x'.repeat(8000)).then(
        () => 'sent',
        (error: Error) => error.message,
      ),
    );
    expect(publish).toMatch(/^Firehose: publishing to topic "big" failed \(413\): Payload of 8002 bytes exceeds the 7850-byte limit/);
  });
});
