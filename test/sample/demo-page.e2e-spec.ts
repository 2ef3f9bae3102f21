import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { AppModule } from '../../sample/app.module.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/** The live board's HTML as the sample app serves it (the browser test drives it in Chromium). */
describe('sample demo page HTML', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase('sample_demo_html');
    app = await NestFactory.create(AppModule.forDatabase(db.url), { logger: ['error', 'warn'], abortOnError: false });
    app.useWebSocketAdapter(new WsAdapter(app));
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const page = async (query = '') => {
    const response = await fetch(`${baseUrl}/${query}`);
    expect(response.status).toBe(200);
    return response.text();
  };
  const count = (html: string, pattern: RegExp) => html.match(new RegExp(pattern, 'g'))?.length ?? 0;

  it('has one title, a favicon, and the realtime table titled in one piece', async () => {
    const html = await page();
    expect(count(html, /<title>/)).toBe(1);
    expect(count(html, /<h1>/)).toBe(1);
    expect(html).toMatch(/<link rel="icon" type="image\/svg\+xml" href="data:image\/svg\+xml,[^"]+">/);
    expect(html).toContain('<h2>Realtime table: <code>sample_products</code></h2>');
  });

  it('says "no events yet" in both columns and "no products yet" in the empty table', async () => {
    const html = await page();
    expect(count(html, /<li class="empty">no events yet<\/li>/)).toBe(2);
    expect(html).toContain('no products yet');
  });

  it('names the streams the SSE route will refuse, escaped, so the SSE column shows them as the WebSocket one does', async () => {
    const refused = (html: string) => JSON.parse(html.match(/<script type="application\/json" id="sse-refused">(.*?)<\/script>/)![1]);
    expect(refused(await page())).toEqual([]);
    expect(refused(await page(`?streams=${encodeURIComponent('a,private:x,private:</script>')}`))).toEqual([
      'private:x',
      'private:</script>',
    ]);
  });
});
