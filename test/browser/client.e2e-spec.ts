import { Injectable } from '@nestjs/common';
import type { Page } from 'playwright-core';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FirehoseAuthorizer } from '../../lib/index.js';
import { sleep, waitFor } from '../utils/collect.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { startBrowserTestApp, type BrowserTestApp } from './utils/browser-test-app.js';
import { launchChromium, type HeadlessChromium } from './utils/chromium.js';
import { clearRecorded, messages, openTestPage, recorded, waitForEvents } from './utils/test-page.js';

/** Every stream except `private:…`, as the sample's authorizer. */
@Injectable()
class PublicOnlyAuthorizer implements FirehoseAuthorizer {
  authorizeStreams(streams: string[]): string[] {
    return streams.filter((stream) => !stream.startsWith('private:'));
  }
}

describe('browser client in headless Chromium', () => {
  let db: TestDatabase;
  let t: BrowserTestApp;
  let browser: HeadlessChromium;
  let page: Page;

  beforeAll(async () => {
    db = await createTestDatabase('browser_client');
    [t, browser] = await Promise.all([
      startBrowserTestApp({ url: db.url, firehose: { authorizer: PublicOnlyAuthorizer } }),
      launchChromium(),
    ]);
  });
  beforeEach(async () => {
    page = await openTestPage(browser.context, t.baseUrl);
  });
  afterEach(async () => {
    await page?.close();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await db?.drop();
  });

  const subscribe = (path: string, streams: string[] | string) =>
    page.evaluate(([p, s]) => (window as any).Firehose.subscribe(p, s), [path, streams] as const);
  const unsubscribe = (path: string, streams: string[] | string) =>
    page.evaluate(([p, s]) => (window as any).Firehose.unsubscribe(p, s), [path, streams] as const);
  const sockets = () => page.evaluate(() => (window as any).__sockets.length as number);
  const openSockets = () => page.evaluate(() => (window as any).__sockets.filter((s: WebSocket) => s.readyState === 1).length as number);

  it('serves the client as JavaScript modules at {path}/client.js', async () => {
    const entry = await fetch(`${t.baseUrl}/firehose/client.js`);
    expect(entry.status).toBe(200);
    expect(entry.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await entry.text()).toBe("export * from './client/index.js';\n");
    const module = await fetch(`${t.baseUrl}/firehose/client/firehose-connection.js`);
    expect(module.status).toBe(200);
    expect(await module.text()).toContain('class FirehoseConnection');
    expect((await fetch(`${t.baseUrl}/firehose/client/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${t.baseUrl}/firehose/client/nope.js`)).status).toBe(404);
  });

  it('receives the events of its streams as firehose:message on document, { id, stream, data } in order', async () => {
    await subscribe('/firehose', ['board']);
    await waitForEvents(page, 'subscribed', 1);
    const sent = [];
    for (const data of ['refresh', { n: 2 }, [3]]) sent.push(await t.firehose.broadcast('board', data));
    await t.firehose.broadcast('elsewhere', 'not for this page');
    // A last one of its own: the other stream's event, had it been sent, would have come before it.
    sent.push(await t.firehose.broadcast('board', 'last'));
    await waitForEvents(page, 'message', 4);
    const received = await recorded(page, 'message');
    expect(received.map((event) => event.detail)).toEqual(sent.map((event) => ({ id: event.id, stream: 'board', data: event.data })));
    expect(Object.keys(received[0].detail)).toEqual(['id', 'stream', 'data']);
    expect(await page.evaluate(() => (window as any).Firehose.state('/firehose'))).toBe('open');
    expect(await recorded(page, 'open')).toEqual([{ type: 'open', detail: { path: '/firehose' } }]);
  });

  it('shares one socket per path, counts subscriptions per stream and closes when none is left', async () => {
    await subscribe('/firehose', ['x', 'y']);
    await subscribe('/firehose', 'x');
    await subscribe(`${t.baseUrl}/firehose`, ['z']);
    await page.waitForFunction(() => (window as any).Firehose.streams('/firehose').length === 3);
    // Every stream confirmed: each subscribe has been sent, so any second socket would exist by now.
    await page.waitForFunction(() =>
      ['x', 'y', 'z'].every((stream) =>
        (window as any).__events.some((e: any) => e.type === 'subscribed' && e.detail.streams.includes(stream)),
      ),
    );
    expect(await sockets()).toBe(1);

    // x was subscribed twice: one unsubscribe keeps it.
    await unsubscribe('/firehose', ['x', 'y']);
    await page.waitForFunction(() => (window as any).__frames.some((f: any) => f.type === 'unsubscribed' && f.streams.includes('y')));
    await clearRecorded(page);
    await t.firehose.broadcast('y', 'dropped');
    const x = await t.firehose.broadcast('x', 'kept');
    const last = await t.firehose.broadcast('x', 'last');
    await waitForEvents(page, 'message', 2);
    expect(await messages(page)).toEqual([
      { id: x.id, stream: 'x', data: 'kept' },
      { id: last.id, stream: 'x', data: 'last' },
    ]);

    await unsubscribe('/firehose', ['x', 'z']);
    await page.waitForFunction(() => (window as any).Firehose.state('/firehose') === 'idle');
    await waitForEvents(page, 'closed', 1);
    expect((await recorded(page, 'closed'))[0].detail).toMatchObject({ path: '/firehose', code: 1000, reconnect: false });
    await t.firehose.broadcast('x', 'after');
    await sleep(300);
    expect(await messages(page)).toHaveLength(2);
    expect(await openSockets()).toBe(0);
  });

  it('a later subscribe on an open socket is live from then on and does not replay', async () => {
    await subscribe('/firehose', ['first']);
    await waitForEvents(page, 'subscribed', 1);
    await t.firehose.broadcast('second', 'before');
    const live = await t.firehose.broadcast('first', 'one');
    await waitForEvents(page, 'message', 1);
    await subscribe('/firehose', ['second']);
    await waitForEvents(page, 'subscribed', 2);
    const after = await t.firehose.broadcast('second', 'after');
    // `before` was committed before `after`: a replay of it would have come first.
    await waitForEvents(page, 'message', 2);
    expect((await messages(page)).map((m) => m.id)).toEqual([live.id, after.id]);
    expect(await sockets()).toBe(1);
  });

  it('<firehose-stream-source> subscribes while in the document and follows its attributes', async () => {
    await page.evaluate(() => {
      const element = document.createElement('firehose-stream-source');
      element.id = 'source';
      element.setAttribute('path', '/firehose');
      element.setAttribute('streams', 'el:a, el:b');
      document.body.append(element);
    });
    await waitForEvents(page, 'subscribed', 1);
    const a = await t.firehose.broadcast('el:a', 1);
    const b = await t.firehose.broadcast('el:b', 2);
    await waitForEvents(page, 'message', 2);

    await page.evaluate(() => document.getElementById('source')!.setAttribute('streams', 'el:c'));
    await waitForEvents(page, 'subscribed', 2);
    await t.firehose.broadcast('el:a', 'dropped');
    const c = await t.firehose.broadcast('el:c', 3);
    await waitForEvents(page, 'message', 3);

    await page.evaluate(() => document.getElementById('source')!.remove());
    await page.waitForFunction(() => (window as any).Firehose.state('/firehose') === 'idle');
    await t.firehose.broadcast('el:c', 'after removal');
    await sleep(300);
    expect((await messages(page)).map((m) => m.id)).toEqual([a.id, b.id, c.id]);
  });

  it('elements in the served HTML subscribe when the client loads, and share the socket', async () => {
    const withElements = await openTestPage(
      browser.context,
      t.baseUrl,
      '<firehose-stream-source path="/firehose" streams="html:a"></firehose-stream-source>' +
        '<firehose-stream-source streams="html:a,html:b"></firehose-stream-source>',
    );
    try {
      await withElements.waitForFunction(() => (window as any).__events.some((e: any) => e.type === 'subscribed'));
      await withElements.waitForFunction(() => (window as any).Firehose.streams('/firehose').length === 2);
      const a = await t.firehose.broadcast('html:a', 'a');
      const b = await t.firehose.broadcast('html:b', 'b');
      // Delivered once each though two elements name html:a: a duplicate would come before html:b's.
      await waitForEvents(withElements, 'message', 2);
      expect((await messages(withElements)).map((m) => m.id)).toEqual([a.id, b.id]);
      expect(await withElements.evaluate(() => (window as any).__sockets.length)).toBe(1);
    } finally {
      await withElements.close();
    }
  });

  it('reports refused streams as firehose:error and still serves the others', async () => {
    await subscribe('/firehose', ['private:secret', 'open']);
    const [error] = await waitForEvents(page, 'error', 1);
    expect(error.detail).toMatchObject({ path: '/firehose', code: 'unauthorized', streams: ['private:secret'] });
    await waitForEvents(page, 'subscribed', 1);
    await t.firehose.broadcast('private:secret', 'no');
    const open = await t.firehose.broadcast('open', 'yes');
    // The refused stream's event came first: once the allowed one is here, it was not sent.
    await waitForEvents(page, 'message', 1);
    expect(await messages(page)).toEqual([{ id: open.id, stream: 'open', data: 'yes' }]);
    expect(await page.evaluate(() => (window as any).Firehose.streams('/firehose'))).toEqual(['open']);
  });
  it('checks names before sending them: an invalid one is reported and the others are served', async () => {
    await subscribe('/firehose', ['valid', 'bell\u0007', 'x'.repeat(256)]);
    const [error] = await waitForEvents(page, 'error', 1);
    expect(error.detail).toMatchObject({ path: '/firehose', code: 'invalid-stream', streams: ['bell\u0007', 'x'.repeat(256)] });
    await waitForEvents(page, 'subscribed', 1);
    expect((await recorded(page, 'subscribed'))[0].detail).toEqual({ path: '/firehose', streams: ['valid'] });
    const valid = await t.firehose.broadcast('valid', 1);
    await waitForEvents(page, 'message', 1);
    expect((await messages(page)).map((m) => m.id)).toEqual([valid.id]);
  });

  describe('against a scripted server', () => {
    let raw: WebSocketServer;
    let rawUrl: string;
    const received: Array<{ connection: number; frame: any }> = [];
    const connections: WebSocket[] = [];

    beforeAll(async () => {
      raw = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      await new Promise((resolve) => raw.once('listening', resolve));
      rawUrl = `ws://127.0.0.1:${(raw.address() as { port: number }).port}/scripted`;
      raw.on('connection', (socket) => {
        const connection = connections.push(socket) - 1;
        socket.on('message', (data) => received.push({ connection, frame: JSON.parse(String(data)) }));
      });
    });
    afterAll(async () => {
      for (const socket of connections) socket.terminate();
      await new Promise((resolve) => raw?.close(resolve));
    });

    const event = (id: number, stream = 'script') => JSON.stringify({ id, stream, data: { id }, sequence: id, channel_id: 1 });

    it('drops duplicate ids, resumes from the newest id after a drop, and follows a cursor-ahead reset', async () => {
      await page.evaluate(() => (window as any).Firehose.configure({ reconnectDelay: 50, maxReconnectDelay: 200 }));
      await subscribe(rawUrl, ['script']);
      await waitFor(() => received.length === 1, 10_000, 'the first subscribe');
      expect(received[0]).toEqual({ connection: 0, frame: { command: 'subscribe', streams: ['script'] } });
      const first = connections[0];
      first.send(JSON.stringify({ type: 'subscribed', streams: ['script'] }));
      for (const id of [5, 6, 6, 5, 7]) first.send(event(id));
      await waitForEvents(page, 'message', 3);

      // Too slow for the server: closed with 4008; the client comes back with its cursor.
      first.close(4008, 'Too slow: reconnect with last_event_id');
      await waitFor(() => received.length === 2, 10_000, 'the resuming subscribe');
      expect(received[1]).toEqual({ connection: 1, frame: { command: 'subscribe', streams: ['script'], last_event_id: 7 } });
      const second = connections[1];
      // The database was restored to an older state: the server's log ends at 3.
      second.send(JSON.stringify({ type: 'reset', stream: 'script', last_event_id: 3, reason: 'cursor-ahead' }));
      second.send(JSON.stringify({ type: 'subscribed', streams: ['script'] }));
      second.send(event(4));
      second.send(event(4));
      // A later one: the duplicate, had it been dispatched, would have come before it.
      second.send(event(8));
      await waitForEvents(page, 'message', 5);

      expect((await messages(page)).map((m) => m.id)).toEqual([5, 6, 7, 4, 8]);
      expect((await recorded(page, 'reset'))[0].detail).toEqual({
        path: rawUrl,
        stream: 'script',
        last_event_id: 3,
        reason: 'cursor-ahead',
      });
      const closed = (await recorded(page, 'closed'))[0].detail;
      expect(closed).toEqual({ path: rawUrl, code: 4008, reason: 'Too slow: reconnect with last_event_id', reconnect: true });
      const reconnecting = (await recorded(page, 'reconnecting'))[0].detail;
      expect(reconnecting).toMatchObject({ path: rawUrl, attempt: 1 });
      expect(reconnecting.delay).toBeGreaterThanOrEqual(25);
      expect(reconnecting.delay).toBeLessThanOrEqual(50);
    });

    it('sends one command at a time: a subscribe waits until the one in flight is confirmed', async () => {
      received.length = 0;
      const before = connections.length;
      await subscribe(rawUrl, ['one']);
      await waitFor(() => received.length === 1, 10_000, 'the first subscribe');
      await subscribe(rawUrl, ['two']);
      await unsubscribe(rawUrl, ['one']);
      await sleep(300);
      // Nothing else goes out while the first subscribe (possibly replaying) is unanswered.
      expect(received.map((r) => r.frame)).toEqual([{ command: 'subscribe', streams: ['one'] }]);
      const socket = connections[before];
      socket.send(JSON.stringify({ type: 'subscribed', streams: ['one'] }));
      await waitFor(() => received.length === 2, 10_000, 'the unsubscribe');
      expect(received[1].frame).toEqual({ command: 'unsubscribe', streams: ['one'] });
      socket.send(JSON.stringify({ type: 'unsubscribed', streams: ['one'] }));
      await waitFor(() => received.length === 3, 10_000, 'the second subscribe');
      expect(received[2].frame).toEqual({ command: 'subscribe', streams: ['two'] });
      // A refusal that covers the whole command settles it too; the stream is not asked again.
      socket.send(JSON.stringify({ type: 'error', code: 'too-many-streams', message: 'Too many streams', streams: ['two'] }));
      await subscribe(rawUrl, ['three', 'bad']);
      await waitFor(() => received.length === 4, 10_000, 'the third subscribe');
      expect(received[3].frame).toEqual({ command: 'subscribe', streams: ['three', 'bad'] });
      expect((await recorded(page, 'error'))[0].detail).toMatchObject({ code: 'too-many-streams', streams: ['two'] });

      // One invalid name refuses its whole command: the client asks again one stream at a time.
      socket.send(JSON.stringify({ type: 'error', code: 'invalid-stream', message: 'Invalid stream name "bad"' }));
      await waitFor(() => received.length === 5, 10_000, 'the first stream alone');
      expect(received[4].frame).toEqual({ command: 'subscribe', streams: ['three'] });
      socket.send(JSON.stringify({ type: 'subscribed', streams: ['three'] }));
      await waitFor(() => received.length === 6, 10_000, 'the second stream alone');
      expect(received[5].frame).toEqual({ command: 'subscribe', streams: ['bad'] });
      socket.send(JSON.stringify({ type: 'error', code: 'invalid-stream', message: 'Invalid stream name "bad"' }));
      await sleep(300);
      expect(received).toHaveLength(6);
      socket.send(event(100, 'three'));
      await waitForEvents(page, 'message', 1);
      // What the page receives: the streams the server refused are not listed.
      expect(await page.evaluate((url) => (window as any).Firehose.streams(url), rawUrl)).toEqual(['three']);
    });
  });
});
