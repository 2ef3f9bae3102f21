import { AllowAllDurableStreamsAuthorizer } from '../../lib/index.js';
import { connect } from 'node:net';
import { DataSource } from 'typeorm';
import { BoundDurableStreamsAppends1732361000000 } from '../../migrations/index.js';
import { CapturingLogger } from '../utils/capturing-logger.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/** Sends `request` on a raw socket and returns what comes back until the server closes. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request, 'latin1'));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}

/** What a read must carry whatever the stream's type: the browser may not run it, sniff it, or treat it as the app's page. */
function expectInert(headers: Headers): void {
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp).toMatch(/(^|;)\s*sandbox\s*(;|$)/);
  expect(csp).toContain("default-src 'none'");
  expect(headers.get('x-content-type-options')).toBe('nosniff');
}

describe('Durable Streams: stored HTML/SVG is never active content of the app origin', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  const logger = new CapturingLogger();
  const url = (name: string) => `${t.baseUrl}/v1/stream/content/${name}`;

  beforeAll(async () => {
    db = await createTestDatabase('ds_limits_content');
    t = await createFirehoseHttpApp({
      url: db.url,
      durableStreams: { authorizer: AllowAllDurableStreamsAuthorizer, longPollTimeout: 300 },
      logger,
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });
  afterEach(() => {
    expect(logger.messages('error')).toEqual([]);
  });

  it.each([
    ['text/html', '<script>document.title = document.cookie</script>'],
    ['image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'],
    ['application/xhtml+xml', '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'],
  ])('serves a %s stream with a sandbox CSP and nosniff on catch-up, long-poll, SSE and HEAD reads', async (type, body) => {
    const stream = url(type.replace(/\W/g, '-'));
    const put = await fetch(stream, { method: 'PUT', headers: { 'content-type': type }, body });
    expect(put.status).toBe(201);
    expectInert(put.headers);

    const catchUp = await fetch(`${stream}?offset=-1`);
    expect(catchUp.status).toBe(200);
    expect(catchUp.headers.get('content-type')).toBe(type);
    expect(await catchUp.text()).toBe(body);
    expectInert(catchUp.headers);

    const longPollData = await fetch(`${stream}?offset=-1&live=long-poll`);
    expect(longPollData.status).toBe(200);
    await longPollData.arrayBuffer();
    expectInert(longPollData.headers);

    const tail = catchUp.headers.get('stream-next-offset')!;
    const longPollEmpty = await fetch(`${stream}?offset=${tail}&live=long-poll`);
    expect(longPollEmpty.status).toBe(204);
    expectInert(longPollEmpty.headers);

    const abort = new AbortController();
    const sse = await fetch(`${stream}?offset=-1&live=sse`, { signal: abort.signal });
    expect(sse.status).toBe(200);
    expectInert(sse.headers);
    abort.abort();

    const head = await fetch(stream, { method: 'HEAD' });
    expectInert(head.headers);
  });

  it('stores a content type normalized: lower-cased, its charset kept, other parameters dropped', async () => {
    const cases: Array<[string, string]> = [
      ['TEXT/HTML;CHARSET="UTF-8"', 'text/html; charset=utf-8'],
      ['text/plain; charset=utf-8; onload="alert(1)"; x=y', 'text/plain; charset=utf-8'],
      ['application/json ;  foo=bar', 'application/json'],
      ['text/plain;;', 'text/plain'],
    ];
    for (const [i, [given, stored]] of cases.entries()) {
      const put = await fetch(url(`normalized-${i}`), { method: 'PUT', headers: { 'content-type': given } });
      expect([given, put.status]).toEqual([given, 201]);
      expect(put.headers.get('content-type')).toBe(stored);
      const read = await fetch(`${url(`normalized-${i}`)}?offset=-1`);
      expect(read.headers.get('content-type')).toBe(stored);
      const head = await fetch(url(`normalized-${i}`), { method: 'HEAD' });
      expect(head.headers.get('content-type')).toBe(stored);
    }
    // Appends compare media types only, so the charset (or its absence) never makes a mismatch.
    const append = await fetch(url('normalized-1'), { method: 'POST', headers: { 'content-type': 'Text/Plain' }, body: 'x' });
    expect(append.status).toBe(204);
  });

  it('refuses a content type that is not a media type with 400 and a reason, creating nothing', async () => {
    const invalid = [
      'text/plain<script>alert(1)</script>',
      'text/html"><script>',
      'téxt/plain',
      'text/',
      '/plain',
      'text/plain; charset="ut\\"f-8"',
      'text/plain; charset=utf-8 extra',
      'text/plain; x',
      `text/plain; charset=${'a'.repeat(300)}`,
    ];
    for (const [i, type] of invalid.entries()) {
      const put = await fetch(url(`invalid-${i}`), { method: 'PUT', headers: { 'content-type': type } });
      expect([type, put.status]).toEqual([type, 400]);
      expect(await put.text()).toMatch(/Content-Type|charset/);
      expect((await fetch(url(`invalid-${i}`), { method: 'HEAD' })).status).toBe(404);
    }
    await fetch(url('append-target'), { method: 'PUT', headers: { 'content-type': 'text/plain' } });
    for (const type of invalid) {
      const append = await fetch(url('append-target'), { method: 'POST', headers: { 'content-type': type }, body: 'x' });
      expect([type, append.status]).toEqual([type, 400]);
    }
  });

  it('never lets a CR or LF in Content-Type reach the stream (the HTTP parser refuses the request)', async () => {
    const port = Number(new URL(t.baseUrl).port);
    for (const injected of ['text/html\r\n\tSet-Cookie: a=b', 'text/html\rX-Injected: 1', 'text/html\nX-Injected: 1']) {
      const answer = await rawExchange(
        port,
        `PUT /v1/stream/content/crlf HTTP/1.1\r\nHost: x\r\nContent-Type: ${injected}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer.toLowerCase()).not.toContain('set-cookie');
      expect(answer.toLowerCase()).not.toContain('x-injected');
    }
    expect((await fetch(url('crlf'), { method: 'HEAD' })).status).toBe(404);
  });

  it('normalizes the content types stored before the check when its migration runs', async () => {
    const before: Array<[string, string]> = [
      ['Text/HTML; onload=alert(1)', 'text/html'],
      ['text/plain<script>alert(1)</script>', 'text/plain'],
      ['text/plain; charset=utf-8', 'text/plain; charset=utf-8'],
      ['application/json', 'application/json'],
      ['???', 'application/octet-stream'],
    ];
    for (const [i, [stored]] of before.entries()) {
      await db.query('INSERT INTO firehose_ds_streams (path, content_type) VALUES ($1, $2)', [`/v1/stream/content/old-${i}`, stored]);
    }
    const dataSource = new DataSource({ type: 'postgres', url: db.url });
    await dataSource.initialize();
    const runner = dataSource.createQueryRunner();
    try {
      await new BoundDurableStreamsAppends1732361000000().up(runner);
    } finally {
      await runner.release();
      await dataSource.destroy();
    }
    for (const [i, [, normalized]] of before.entries()) {
      const head = await fetch(url(`old-${i}`), { method: 'HEAD' });
      expect(head.headers.get('content-type')).toBe(normalized);
    }
  });
});
