import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { Page } from 'playwright-core';
import { AppModule } from '../../sample/app.module.js';
import { FirehoseService } from '../../lib/index.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { launchChromium, type HeadlessChromium } from './utils/chromium.js';

/** The sample's live board at `/`, in two tabs of a real browser, against the sample app itself. */
describe('sample demo page', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  let browser: HeadlessChromium;
  const tabs: Page[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('browser_demo');
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
  // Each tab holds two long-lived HTTP connections (the SSE column and the typing topic), and
  // Chromium opens at most six per origin: a test's tabs close before the next test opens its own.
  afterEach(async () => {
    for (const tab of tabs.splice(0)) await tab.close();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.drop();
  });

  const open = async (query = '') => {
    const tab = await browser.context.newPage();
    tabs.push(tab);
    await tab.goto(`${baseUrl}/${query}`);
    return tab;
  };
  const state = (tab: Page, column: 'ws' | 'sse') => tab.locator(`#${column} .state`);
  const rows = (tab: Page, column: 'ws' | 'sse') => tab.locator(`#${column} li`);

  it('shows a broadcast from one tab in every tab, over WebSocket and SSE side by side, with connection state', async () => {
    const first = await open();
    const second = await open();
    for (const tab of [first, second]) {
      await expect(tab.locator('firehose-stream-source').getAttribute('streams')).resolves.toBe('board,dashboard,jobs');
      for (const column of ['ws', 'sse'] as const) {
        await state(tab, column).and(tab.locator('[data-state=open]')).waitFor();
      }
    }

    // Markup in the message must come out as text.
    await first.locator('#post input[name=text]').fill('hello <b>board</b>');
    await first.locator('#post button[type=submit]').click();
    await first.locator('#sent', { hasText: 'Stored as #' }).waitFor();
    const id = (await first.locator('#sent').textContent())!.match(/#(\d+)/)![1];

    for (const tab of [first, second]) {
      for (const column of ['ws', 'sse'] as const) {
        const row = rows(tab, column).first();
        await row.locator('.id', { hasText: `#${id}` }).waitFor();
        await expect(row.locator('.stream').textContent()).resolves.toBe('board');
        await expect(row.locator('.data').textContent()).resolves.toContain('"text":"hello <b>board</b>"');
        await expect(tab.locator(`#${column} .last`).textContent()).resolves.toBe(id);
      }
      await expect(tab.locator('li b').count()).resolves.toBe(0);
    }

    // An event from elsewhere in the app (here the service itself) reaches the board too.
    const event = await app.get(FirehoseService).broadcast('dashboard', { visitors: 42 });
    await rows(second, 'ws')
      .first()
      .locator('.id', { hasText: `#${event.id}` })
      .waitFor();
    await rows(second, 'sse')
      .first()
      .locator('.id', { hasText: `#${event.id}` })
      .waitFor();
  });

  it('keeps the realtime table current in every tab through the change feed: insert, update, delete', async () => {
    const first = await open();
    const second = await open();
    for (const tab of [first, second]) await state(tab, 'ws').and(tab.locator('[data-state=open]')).waitFor();
    const product = (tab: Page, name: string) => tab.locator('#products tbody tr', { hasText: name });

    await first.locator('#add-product input[name=name]').fill('Teapot <i>blue</i>');
    await first.locator('#add-product button[type=submit]').click();
    for (const tab of [first, second]) await product(tab, 'Teapot <i>blue</i>').waitFor();
    await expect(second.locator('#products i').count()).resolves.toBe(0);

    await product(second, 'Teapot').locator('button', { hasText: 'stock +1' }).click();
    // The stock cell: the id cell may read 1 too.
    await product(first, 'Teapot').locator('td:nth-child(4)', { hasText: /^1$/ }).waitFor();

    // A change made outside the page (SQL through TypeORM here) reaches it the same way.
    await db.query(`UPDATE sample_products SET price = 9.99 WHERE name = 'Teapot <i>blue</i>'`);
    for (const tab of [first, second]) await product(tab, 'Teapot').locator('td', { hasText: '9.99' }).waitFor();

    await product(first, 'Teapot').locator('button', { hasText: 'delete' }).click();
    for (const tab of [first, second]) await product(tab, 'Teapot').waitFor({ state: 'detached' });
  });

  it('shows this instance in the operations panel: connections by transport, deliveries per second, drops, the NOTIFY queue', async () => {
    const tab = await open();
    for (const column of ['ws', 'sse'] as const) await state(tab, column).and(tab.locator('[data-state=open]')).waitFor();
    const panel = tab.locator('#operations');
    await panel.locator('.state', { hasText: 'ok' }).waitFor();
    // This tab holds one connection of each kind, other tabs perhaps more.
    // The panel reads the figures once a second: the first read may come before this tab's connections.
    for (const transport of ['websocket', 'sse']) await panel.locator(`[data-field=${transport}]`, { hasText: /^[1-9]\d*$/ }).waitFor();
    await expect(panel.locator('[data-field=dropped]').textContent()).resolves.toMatch(/^\d+$/);
    await panel.locator('[data-field=queue]', { hasText: '%' }).waitFor();
    // Traffic draws the sparkline: every tab delivers each broadcast over both transports.
    const firehose = app.get(FirehoseService);
    for (let i = 0; i < 5; i++) await firehose.broadcast('board', { text: `tick ${i}` });
    await panel.locator('[data-field=rate]', { hasText: /^[1-9]/ }).waitFor();
    await expect(panel.locator('polyline').getAttribute('points')).resolves.toMatch(/\d,\d/);
  });

  it('says so while a column or the table is empty, and no longer once something arrives', async () => {
    const tab = await open('?streams=quiet');
    for (const column of ['ws', 'sse'] as const) {
      await state(tab, column).and(tab.locator('[data-state=open]')).waitFor();
      await expect(tab.locator(`#${column} li.empty`).textContent()).resolves.toBe('no events yet');
    }
    const tableRows = await tab.locator('#products tbody tr').count();
    await expect(tab.locator('#products tfoot').isVisible()).resolves.toBe(tableRows === 0);
    await app.get(FirehoseService).broadcast('quiet', { now: 'loud' });
    for (const column of ['ws', 'sse'] as const) {
      await rows(tab, column).first().locator('.stream', { hasText: 'quiet' }).waitFor();
      await expect(tab.locator(`#${column} li.empty`).count()).resolves.toBe(0);
    }
  });

  it('serves the Durable Streams protocol at /v1/stream', async () => {
    const url = `${baseUrl}/v1/stream/chat/room-1`;
    const json = { 'Content-Type': 'application/json' };
    expect((await fetch(url, { method: 'PUT', headers: json })).status).toBe(201);
    expect((await fetch(url, { method: 'POST', headers: json, body: '{"text":"hi"}' })).status).toBe(204);
    const read = await fetch(`${url}?offset=-1`);
    expect(read.status).toBe(200);
    await expect(read.json()).resolves.toEqual([{ text: 'hi' }]);
  });

  it('renders the element for the streams in the URL, escaped; refused streams are shown, invalid names answered with 400', async () => {
    const tab = await open('?streams=' + encodeURIComponent('team "a",Comment:42,private:x'));
    await expect(tab.locator('firehose-stream-source').getAttribute('streams')).resolves.toBe('team "a",Comment:42,private:x');
    await state(tab, 'ws').and(tab.locator('[data-state=open]')).waitFor();
    await state(tab, 'sse').and(tab.locator('[data-state=open]')).waitFor();
    for (const column of ['ws', 'sse'] as const) {
      await tab
        .locator(`#${column} li.note`, { hasText: 'unauthorized: These streams may not be read by this connection: private:x.' })
        .waitFor();
    }
    const response = await fetch(`${baseUrl}/?streams=${encodeURIComponent('bad\u0007name')}`);
    expect(response.status).toBe(400);
    await tab.locator('select[name=stream]').selectOption('Comment:42');
    await tab.locator('#post input[name=text]').fill('on an entity stream');
    await tab.locator('#post button[type=submit]').click();
    await rows(tab, 'ws').first().locator('.stream', { hasText: 'Comment:42' }).waitFor();
    await rows(tab, 'sse').first().locator('.stream', { hasText: 'Comment:42' }).waitFor();
  });
});
