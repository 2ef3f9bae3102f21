import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { Page } from 'playwright-core';
import { AppModule } from '../../sample/app.module.js';
import { FLUXBASE_REACT_PAGE } from '../../sample/realtime/fluxbase-react-page.controller.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { launchChromium, type HeadlessChromium } from './utils/chromium.js';

/**
 * Fluxbase's React example, its `useRealtime` hook as printed, in headless Chromium against the
 * sample (its page `GET /realtime-example/`): what PostgreSQL commits to the products table shows
 * up in the rendered list, and what the sample's authorizer hides never does.
 */
describe("Fluxbase's useRealtime React hook in headless Chromium, against the sample", () => {
  let db: TestDatabase;
  let app: INestApplication;
  let browser: HeadlessChromium;
  let page: Page;
  let baseUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase('browser_fluxbase_react');
    [app, browser] = await Promise.all([
      NestFactory.create(AppModule.forDatabase(db.url), { logger: ['error', 'warn'], forceCloseConnections: true, abortOnError: false }),
      launchChromium(),
    ]);
    app.useWebSocketAdapter(new WsAdapter(app));
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://localhost:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await app?.close();
    await db?.drop();
  });

  /** The product names the list shows now, in order. */
  const listed = () =>
    page.evaluate(() => [...document.getElementById('root')!.firstElementChild!.children].slice(1).map((row) => row.textContent));
  const waitForList = async (names: string[]) => {
    try {
      await page.waitForFunction(
        (expected) =>
          JSON.stringify([...document.getElementById('root')!.firstElementChild!.children].slice(1).map((row) => row.textContent)) ===
          JSON.stringify(expected),
        names,
        { timeout: 15_000, polling: 25 },
      );
    } catch (error) {
      throw new Error(`waited for the list ${JSON.stringify(names)}; it shows ${JSON.stringify(await listed())}`, { cause: error });
    }
  };

  it('renders INSERT, UPDATE and DELETE as they commit, and never a row the authorizer hides', async () => {
    // ProductList reads its token from localStorage, as printed: ann's JWT, from the sample's token route.
    const issued = await fetch(`${baseUrl}/api/realtime/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'ann' }),
    });
    const { token } = (await issued.json()) as { token: string };
    await browser.context.addInitScript((jwt) => localStorage.setItem('token', jwt), token);
    page = await browser.context.newPage();
    await page.goto(`${baseUrl}${FLUXBASE_REACT_PAGE}`);
    await page.waitForFunction(() => document.getElementById('root')?.textContent?.includes('Status: Connected'), null, {
      timeout: 15_000,
    });
    // The hook subscribes on open; rows committed after the ack reach it.
    await page.waitForFunction(() => (window as any).__frames.some((frame: { type: string }) => frame.type === 'ack'), null, {
      timeout: 15_000,
    });

    await db.query(`INSERT INTO products (id, name, price) VALUES (1, 'Desk lamp', 99.99)`);
    await db.query(`INSERT INTO products (id, name, price, hidden) VALUES (2, 'Secret prototype', 1, true)`);
    await db.query(`INSERT INTO products (id, name, price, hidden) VALUES (3, 'Secret chair', 49, true), (4, 'Ann''s mug', 9, false)`);
    await waitForList(['Desk lamp', "Ann's mug"]);

    await db.query(`UPDATE products SET name = 'Desk lamp XL', price = 149.99 WHERE id = 1`);
    await db.query(`UPDATE products SET name = 'Secret prototype v2' WHERE id = 2`);
    await waitForList(['Desk lamp XL', "Ann's mug"]);

    await db.query('DELETE FROM products WHERE id IN (2, 3, 4)');
    await waitForList(['Desk lamp XL']);

    // A last row: anything hidden before it, had it been sent, would have arrived first.
    await db.query(`INSERT INTO products (id, name, price) VALUES (5, 'Last', 1)`);
    await waitForList(['Desk lamp XL', 'Last']);

    const rendered: string[] = await page.evaluate(() => [...(window as any).__rendered]);
    expect(rendered.filter((text) => !text.startsWith('Status:')).sort()).toEqual(["Ann's mug", 'Desk lamp', 'Desk lamp XL', 'Last']);
    const frames: Array<Record<string, any>> = await page.evaluate(() => (window as any).__frames);
    const shown = frames
      .filter((frame) => frame.type === 'broadcast')
      .map((frame) => `${frame.payload.type} ${(frame.payload.record ?? frame.payload.old_record).id}`);
    expect(shown).toEqual(['INSERT 1', 'INSERT 4', 'UPDATE 1', 'DELETE 4', 'INSERT 5']);
    expect(JSON.stringify(frames)).not.toMatch(/Secret/);
  });
});
