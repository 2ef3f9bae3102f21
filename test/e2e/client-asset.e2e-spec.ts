import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { AllowAllStreamsAuthorizer } from '../../lib/index.js';
import { createFirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/** A plain GET with exactly these request headers. */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    }).on('error', reject);
  });
}

/** The browser client's script, served by the module unless `serveClient: false`. */
describe('client script route', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('client_asset');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each([
    [undefined, 200],
    [true, 200],
    [false, 404],
  ])('serveClient %p: GET {path}/client.js answers %p', async (serveClient, status) => {
    const t = await createFirehoseHttpApp({ url: db.url, firehose: { authorizer: AllowAllStreamsAuthorizer, path: '/live', serveClient } });
    try {
      const response = await fetch(`${t.baseUrl}/live/client.js`);
      expect(response.status).toBe(status);
      if (status === 200) expect(response.headers.get('content-type')).toMatch(/javascript/);
      // The transports are there either way.
      const sse = await fetch(`${t.baseUrl}/live/sse?streams=a`);
      expect(sse.status).toBe(200);
      await sse.body?.cancel();
    } finally {
      await t.close();
    }
  });

  it('sends the script with no-cache and an ETag, and answers 304 to a revalidation that matches', async () => {
    const t = await createFirehoseHttpApp({ url: db.url, firehose: { authorizer: AllowAllStreamsAuthorizer } });
    try {
      const first = await fetch(`${t.baseUrl}/firehose/client.js`);
      expect(first.status).toBe(200);
      const body = await first.text();
      expect(body.length).toBeGreaterThan(0);
      expect(first.headers.get('cache-control')).toMatch(/no-cache/);
      const etag = first.headers.get('etag');
      expect(etag).toBeTruthy();

      // As a browser revalidates a no-cache script. (Not with fetch(): a conditional fetch() also
      // sends `Cache-Control: no-cache`, which asks the server for a full answer.)
      const revalidated = await get(`${t.baseUrl}/firehose/client.js`, { 'If-None-Match': etag! });
      expect(revalidated.status).toBe(304);
      expect(revalidated.body).toBe('');
      expect(revalidated.headers.etag).toBe(etag);

      const stale = await get(`${t.baseUrl}/firehose/client.js`, { 'If-None-Match': '"something-else"' });
      expect(stale.status).toBe(200);
      expect(stale.body).toBe(body);
    } finally {
      await t.close();
    }
  });

  it('lets a page on another origin load the client as a module script: any origin by default, the allowed ones when set', async () => {
    const open = await createFirehoseHttpApp({ url: db.url, firehose: { authorizer: AllowAllStreamsAuthorizer } });
    try {
      for (const file of ['client.js', 'client/index.js']) {
        const response = await get(`${open.baseUrl}/firehose/${file}`, { Origin: 'https://pages.example' });
        expect([file, response.status, response.headers['access-control-allow-origin']]).toEqual([file, 200, '*']);
      }
    } finally {
      await open.close();
    }
    const fenced = await createFirehoseHttpApp({
      url: db.url,
      firehose: { authorizer: AllowAllStreamsAuthorizer, allowedOrigins: ['https://app.example'] },
    });
    try {
      const allowed = await get(`${fenced.baseUrl}/firehose/client.js`, { Origin: 'https://app.example' });
      expect([allowed.headers['access-control-allow-origin'], allowed.headers.vary]).toEqual(['https://app.example', 'Origin']);
      const other = await get(`${fenced.baseUrl}/firehose/client.js`, { Origin: 'https://evil.example' });
      expect(other.status).toBe(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      expect(other.headers.vary).toBe('Origin');
    } finally {
      await fenced.close();
    }
  });
});
