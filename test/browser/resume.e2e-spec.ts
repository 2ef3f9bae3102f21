import type { Page } from 'playwright-core';
import { AllowAllStreamsAuthorizer, isFirehoseReset, type FirehoseEvent } from '../../lib/index.js';
import { collect, waitFor } from '../utils/collect.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { startBrowserTestApp, type BrowserTestApp } from './utils/browser-test-app.js';
import { launchChromium, type HeadlessChromium } from './utils/chromium.js';
import { messages, openTestPage, recorded, waitForEvents } from './utils/test-page.js';

const KEEP = 3;
const FIREHOSE = { authorizer: AllowAllStreamsAuthorizer, cleanupThreshold: KEEP, cleanupInterval: 100 };

/**
 * The page outlives its server: the Nest app is closed, events are broadcast while it is down (by
 * another app on the same database), and a new app comes back on the same port. The page's
 * client reconnects with backoff and resumes from the last id it received.
 */
describe('browser client across a server restart', () => {
  let db: TestDatabase;
  let writer: BrowserTestApp;
  let server: BrowserTestApp | undefined;
  let browser: HeadlessChromium;
  let page: Page;

  beforeAll(async () => {
    db = await createTestDatabase('browser_resume');
    // The writer migrates first, so the server apps below never race it for the migration lock.
    writer = await startBrowserTestApp({ url: db.url, firehose: FIREHOSE });
    browser = await launchChromium();
  });
  beforeEach(async () => {
    server = await startBrowserTestApp({ url: db.url, firehose: FIREHOSE });
    page = await openTestPage(browser.context, server.baseUrl);
    // Short waits between attempts, so the page is back soon after the server.
    await page.evaluate(() => (window as any).Firehose.configure({ reconnectDelay: 100, maxReconnectDelay: 800 }));
  });
  afterEach(async () => {
    await page?.close();
    await server?.close();
  });
  afterAll(async () => {
    await browser?.close();
    await writer?.close();
    await db?.drop();
  });

  const subscribe = (streams: string[]) => page.evaluate((s) => (window as any).Firehose.subscribe('/firehose', s), streams);

  /** Closes the page's server and brings a new one up on the same port and database. */
  const restart = async (whileDown: () => Promise<void>) => {
    const port = server!.port;
    await server!.close();
    server = undefined;
    await waitForEvents(page, 'reconnecting', 1);
    await whileDown();
    server = await startBrowserTestApp({ url: db.url, port, firehose: FIREHOSE });
  };

  it('gets every event exactly once, in order: before, while the server is down, and after it is back', async () => {
    const sent: FirehoseEvent[] = [];
    const broadcast = async (count: number) => {
      for (let i = 0; i < count; i++) sent.push(await writer.firehose.broadcast(i % 2 ? 'resume:b' : 'resume:a', { n: sent.length }));
    };
    await subscribe(['resume:a', 'resume:b']);
    await waitForEvents(page, 'subscribed', 1);
    await broadcast(2);
    await waitForEvents(page, 'message', 2);

    // Fewer events while down than the stream keeps, so nothing is trimmed before the page is back.
    await restart(() => broadcast(KEEP - 1));
    // After the server is back, while the page may still be waiting for its next attempt or replaying.
    await broadcast(2);
    await waitForEvents(page, 'subscribed', 2);
    await broadcast(2);
    // The last one confirmed live: a duplicate or a stray replay would have been dispatched before it.
    await waitForEvents(page, 'message', sent.length);
    expect(await messages(page)).toEqual(sent.map((event) => ({ id: event.id, stream: event.stream, data: event.data })));
    const closed = (await recorded(page, 'closed'))[0].detail;
    expect(closed).toMatchObject({ path: '/firehose', code: 1001, reconnect: true });
    expect(await recorded(page, 'reset')).toEqual([]);
    expect(await page.evaluate(() => (window as any).Firehose.state('/firehose'))).toBe('open');
    expect(await page.evaluate(() => (window as any).Firehose.lastEventId('/firehose'))).toBe(sent.at(-1)!.id);
  });

  it('dispatches firehose:reset when the history after its cursor was cleaned up while it was away, then goes on', async () => {
    await subscribe(['trimmed']);
    await waitForEvents(page, 'subscribed', 1);
    const first = await writer.firehose.broadcast('trimmed', 'seen');
    await waitForEvents(page, 'message', 1);

    const whileDown: FirehoseEvent[] = [];
    await restart(async () => {
      for (let i = 0; i < KEEP * 3; i++) whileDown.push(await writer.firehose.broadcast('trimmed', i));
      // Wait for cleanup: a replay from the page's cursor must now answer a reset.
      await waitFor(
        async () => {
          const [item] = await collect(writer.firehose.stream(['trimmed'], { lastEventId: first.id }), 1).done;
          return isFirehoseReset(item);
        },
        10_000,
        'cleanup of the trimmed stream',
      );
    });

    // The reset names the stream's newest id: the page reloads its state, and what follows is newer.
    const [reset] = await waitForEvents(page, 'reset', 1);
    expect(reset.detail).toEqual({ path: '/firehose', stream: 'trimmed', last_event_id: whileDown.at(-1)!.id, reason: 'history-trimmed' });
    const after = await writer.firehose.broadcast('trimmed', 'after');
    // A later one: anything replayed or repeated would have been dispatched before it.
    const last = await writer.firehose.broadcast('trimmed', 'last');
    await waitForEvents(page, 'message', 3);
    expect((await messages(page)).map((message) => message.id)).toEqual([first.id, after.id, last.id]);
    const order = (await recorded(page)).filter((event) => event.type === 'reset' || event.type === 'message').map((event) => event.type);
    expect(order).toEqual(['message', 'reset', 'message', 'message']);
  });
});
