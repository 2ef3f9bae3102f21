import net from 'node:net';
import { AllowAllStreamsAuthorizer, type FirehoseEvent } from '../../lib/index.js';
import { waitFor, within } from '../utils/collect.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { openSse, type SseConnection } from '../utils/sse-client.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const KEEP = 20;

describe('SSE transport', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  const open: SseConnection[] = [];

  const connect = async (query: string, headers: Record<string, string> = {}, base = t.baseUrl) => {
    const connection = await openSse(`${base}/firehose/sse?${query}`, headers);
    open.push(connection);
    return connection;
  };
  /** The newest event id in the log: connecting with it receives every later event, with no timing race. */
  const newestId = async () => Number((await db.query('SELECT coalesce(max(id), 0) AS id FROM firehose_messages'))[0].id);
  /** Connected from the log's newest event, and past the first frame. */
  const connectLive = async (query: string) => {
    const connection = await connect(`${query}&last_event_id=${await newestId()}`);
    expect(connection.status).toBe(200);
    await waitFor(() => connection.frames.length > 0, 5000, 'the opening frame');
    return connection;
  };
  const ids = (connection: SseConnection) => connection.dataFrames().map((frame) => Number(frame.id));

  beforeAll(async () => {
    db = await createTestDatabase('sse');
    t = await createFirehoseHttpApp({
      url: db.url,
      firehose: {
        authorizer: AllowAllStreamsAuthorizer,
        cleanupThreshold: KEEP,
        cleanupInterval: 60_000,
        sseRetry: 1234,
        sseHeartbeatInterval: 200,
        maxStreamsPerConnection: 3,
      },
    });
  });
  afterEach(() => {
    for (const connection of open.splice(0)) connection.close();
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('sends the Firehose frame for an event, live, with SSE headers and no compression', async () => {
    const sse = await connectLive('streams=shape');
    expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(sse.headers['cache-control']).toContain('no-cache');
    expect(sse.headers['x-accel-buffering']).toBe('no');
    expect(sse.headers['content-encoding']).toBeUndefined();

    const event = await t.firehose.broadcast('shape', { type: 'refresh', n: 1 });
    const [frame] = await sse.waitForDataFrames(1);
    expect(frame.raw).toBe(
      `id: ${event.id}\nevent: shape\ndata: {"data":{"type":"refresh","n":1},"channel_id":${event.streamId},"sequence":1}`,
    );
  });

  it("keeps the headers the app's middleware set, such as CORS for a page on another origin", async () => {
    const cors = await createFirehoseHttpApp({
      url: db.url,
      firehose: { authorizer: AllowAllStreamsAuthorizer },
      cors: { origin: 'https://app.example', credentials: true },
    });
    try {
      const sse = await connect('streams=cors', { Origin: 'https://app.example' }, cors.baseUrl);
      expect(sse.status).toBe(200);
      expect(sse.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(sse.headers['access-control-allow-credentials']).toBe('true');
      expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
    } finally {
      for (const connection of open.splice(0)) connection.close();
      await cors.close();
    }
  });

  it('opens with the retry hint, then sends comment heartbeats', async () => {
    const sse = await connect('streams=quiet');
    await waitFor(() => sse.frames.filter((frame) => frame.comments.includes('heartbeat')).length >= 2, 5000, 'two heartbeats');
    expect(sse.frames[0].raw).toBe('retry: 1234');
    expect(sse.frames[1].raw).toBe(': heartbeat');
    expect(sse.dataFrames()).toEqual([]);
  });

  it('opens without an id, so a reconnect before any event keeps the client cursor', async () => {
    const seen = await t.firehose.broadcast('kept-cursor', 'seen');
    const first = await connect('streams=kept-cursor', { 'Last-Event-ID': String(seen.id) });
    await waitFor(() => first.frames.length > 0, 5000, 'the opening frame');
    expect(first.frames[0].raw).toBe('retry: 1234');
    // The connection drops before any event: the client's cursor is the last id it was sent, and
    // the opening frame sent none, so it still is the one it connected with (as EventSource keeps it).
    first.close();
    const lastIdSent = first.frames.filter((frame) => frame.id !== undefined).at(-1)?.id ?? String(seen.id);
    expect(lastIdSent).toBe(String(seen.id));
    const missed = await t.firehose.broadcast('kept-cursor', 'missed while away');
    const again = await connect('streams=kept-cursor', { 'Last-Event-ID': lastIdSent });
    const [frame] = await again.waitForDataFrames(1);
    expect(frame.id).toBe(String(missed.id));
    expect(JSON.parse(frame.data!).data).toBe('missed while away');
  });

  it('delivers only the requested streams, in commit order', async () => {
    const sse = await connectLive('streams=live-a,live-b');
    const sent: FirehoseEvent[] = [];
    for (let n = 0; n < 10; n++) {
      sent.push(await t.firehose.broadcast(n % 2 ? 'live-a' : 'live-b', n));
      await t.firehose.broadcast('live-other', n);
    }
    // A last event after the others: anything extra would have been delivered before it.
    sent.push(await t.firehose.broadcast('live-a', 'last'));
    const frames = await sse.waitForDataFrames(11);
    expect(ids(sse)).toEqual(sent.map((event) => event.id));
    expect(frames.map((frame) => frame.event)).toEqual(sent.map((event) => event.stream));
    expect(frames.map((frame) => JSON.parse(frame.data!).data)).toEqual(sent.map((event) => event.data));
  });

  describe('resume', () => {
    /**
     * Broadcasts 15 events, resumes after the 5th while 10 more are broadcast concurrently, and
     * checks the client got every event after its cursor exactly once, in order.
     */
    async function resumeAcrossTheSeam(stream: string, resume: (cursor: number) => Promise<SseConnection>) {
      const before: FirehoseEvent[] = [];
      for (let n = 1; n <= 15; n++) before.push(await t.firehose.broadcast(stream, n));
      const cursor = before[4].id;
      const during = (async () => {
        const events: FirehoseEvent[] = [];
        for (let n = 16; n <= 25; n++) {
          events.push(await t.firehose.broadcast(stream, n));
          await t.firehose.broadcast(`${stream}-noise`, n);
        }
        return events;
      })();
      const sse = await resume(cursor);
      expect(sse.status).toBe(200);
      // A last event after the others: a duplicate would have been delivered before it.
      const expected = [...before.slice(5), ...(await during), await t.firehose.broadcast(stream, 'last')];
      await sse.waitForDataFrames(expected.length);
      expect(ids(sse)).toEqual(expected.map((event) => event.id));
      expect(sse.dataFrames().map((frame) => JSON.parse(frame.data!).sequence)).toEqual(Array.from({ length: 21 }, (_, i) => i + 6));
    }

    it('replays after the Last-Event-ID header, then goes live with no gap or duplicate', async () => {
      await resumeAcrossTheSeam('resume-header', (cursor) => connect('streams=resume-header', { 'Last-Event-ID': String(cursor) }));
    });

    it('replays after the last_event_id query parameter the same way', async () => {
      await resumeAcrossTheSeam('resume-query', (cursor) => connect(`streams=resume-query&last_event_id=${cursor}`));
    });

    it('lets the header win over the query parameter', async () => {
      const events: FirehoseEvent[] = [];
      for (let n = 1; n <= 4; n++) events.push(await t.firehose.broadcast('resume-both', n));
      const sse = await connect(`streams=resume-both&last_event_id=${events[0].id}`, { 'Last-Event-ID': String(events[2].id) });
      await sse.waitForDataFrames(1);
      const last = await t.firehose.broadcast('resume-both', 'last');
      await sse.waitForDataFrames(2);
      expect(ids(sse)).toEqual([events[3].id, last.id]);
    });

    it('sends a firehose:reset event when the history after the cursor was trimmed, then goes on live', async () => {
      const events: FirehoseEvent[] = [];
      for (let n = 1; n <= KEEP + 10; n++) events.push(await t.firehose.broadcast('trimmed', n));
      await t.firehose.cleanup();
      const cursor = events[0].id;
      const sse = await connect(`streams=trimmed&last_event_id=${cursor}`);
      const [reset] = await sse.waitForDataFrames(1);
      expect(reset.raw).toBe(
        `id: ${cursor}\nevent: firehose:reset\ndata: {"stream":"trimmed","last_event_id":${events.at(-1)!.id},"reason":"history-trimmed"}`,
      );
      const next = await t.firehose.broadcast('trimmed', 'after');
      const frames = await sse.waitForDataFrames(2);
      expect(frames[1].id).toBe(String(next.id));
      expect(frames).toHaveLength(2);
    });
  });

  describe('bad requests', () => {
    it.each([
      ['', /Missing the streams query parameter/],
      ['streams=', /Invalid stream name "": it is empty/],
      ['streams=a,,b', /it is empty/],
      ['streams=bad%01name', /control characters/],
      ['streams=a,b,c,d', /Too many streams: 4 asked for, at most 3 per connection/],
      ['streams=a&last_event_id=-1', /Invalid last_event_id query parameter "-1"/],
      ['streams=a&last_event_id=1.5', /Invalid last_event_id/],
    ])('answers 400 to %p', async (query, message) => {
      const sse = await connect(query);
      expect(sse.status).toBe(400);
      expect(sse.body.message).toMatch(message);
    });

    it('answers 400 to a Last-Event-ID header that is not an event id', async () => {
      const sse = await connect('streams=a', { 'Last-Event-ID': 'abc' });
      expect(sse.status).toBe(400);
      expect(sse.body.message).toMatch(/Invalid Last-Event-ID header "abc": expected the non-negative integer id/);
    });
  });

  it('keeps one unended chunked response on the wire, and hangs up on a request pipelined behind it', async () => {
    const from = await newestId();
    const socket = net.connect(Number(new URL(t.baseUrl).port), '127.0.0.1');
    let wire = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (wire += chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(`GET /firehose/sse?streams=pipe&last_event_id=${from} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    await waitFor(() => wire.includes('retry:'), 5000, 'the opening frame');
    const event = await t.firehose.broadcast('pipe', { n: 1 });
    await waitFor(() => wire.includes(`id: ${event.id}`), 5000, 'the event');
    expect(wire).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(wire).toMatch(/\r\nTransfer-Encoding: chunked\r\n/i);
    // Every body byte is inside a chunk, and no last chunk has been sent.
    const body = wire.slice(wire.indexOf('\r\n\r\n') + 4);
    let rest = body;
    while (rest.length > 0) {
      const match = /^([0-9a-f]+)\r\n/.exec(rest);
      expect(match).not.toBeNull();
      const size = parseInt(match![1], 16);
      expect(size).toBeGreaterThan(0);
      rest = rest.slice(match![0].length + size);
      expect(rest.startsWith('\r\n')).toBe(true);
      rest = rest.slice(2);
    }
    socket.write('GET /firehose/client.js HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await closed;
    expect(wire.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });

  it('streams to an HTTP/1.0 client as a plain response (no chunked encoding), ended by closing', async () => {
    const from = await newestId();
    const socket = net.connect(Number(new URL(t.baseUrl).port), '127.0.0.1');
    let wire = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (wire += chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    try {
      socket.write(`GET /firehose/sse?streams=old-http&last_event_id=${from} HTTP/1.0\r\nHost: localhost\r\n\r\n`);
      await waitFor(() => wire.includes('retry: 1234'), 5000, 'the opening frame');
      const first = await t.firehose.broadcast('old-http', { n: 1 });
      const second = await t.firehose.broadcast('old-http', { n: 2 });
      await waitFor(() => wire.includes(`id: ${second.id}`), 5000, 'the events');
      const [head, body] = [wire.slice(0, wire.indexOf('\r\n\r\n')), wire.slice(wire.indexOf('\r\n\r\n') + 4)];
      expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(head).toMatch(/\r\nContent-Type: text\/event-stream/i);
      expect(head).not.toMatch(/Transfer-Encoding/i);
      // The body is the event stream itself, with no chunk sizes around its frames.
      expect(body).toContain(
        `id: ${first.id}\nevent: old-http\ndata: {"data":{"n":1},"channel_id":${first.streamId},"sequence":${first.sequence}}\n\n`,
      );
      expect(body).not.toMatch(/^[0-9a-f]+\r\n/m);
      expect(socket.destroyed).toBe(false);
    } finally {
      socket.destroy();
      await closed;
    }
  });

  it('keeps streaming to a client that asked for Connection: close', async () => {
    const from = await newestId();
    // The module hands the exchange back by ending the response; with Connection: close, Node
    // decides at that response's 'finish' whether to close the socket, so the test waits for it.
    const server = t.app.getHttpServer();
    let handedBack = false;
    const onRequest = (request: { url?: string }, response: { once(event: 'finish', listener: () => void): void }) => {
      if (request.url?.includes('streams=close')) response.once('finish', () => setImmediate(() => (handedBack = true)));
    };
    server.on('request', onRequest);
    const socket = net.connect(Number(new URL(t.baseUrl).port), '127.0.0.1');
    let wire = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (wire += chunk));
    try {
      socket.write(`GET /firehose/sse?streams=close&last_event_id=${from} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      await waitFor(() => wire.includes('retry:'), 5000, 'the opening frame');
      await waitFor(() => handedBack, 5000, 'the response to be handed back');
      const event = await t.firehose.broadcast('close', { n: 1 });
      await waitFor(() => wire.includes(`id: ${event.id}`), 5000, 'the event');
      expect(socket.destroyed).toBe(false);
    } finally {
      server.off('request', onRequest);
      socket.destroy();
    }
  });

  it("stays open past the server's keep-alive timeout while idle", async () => {
    const quiet = await createFirehoseHttpApp({
      url: db.url,
      firehose: { authorizer: AllowAllStreamsAuthorizer, sseHeartbeatInterval: 60_000 },
    });
    const control = net.connect(Number(new URL(quiet.baseUrl).port), '127.0.0.1');
    try {
      quiet.app.getHttpServer().keepAliveTimeout = 200;
      const sse = await connect(`streams=quiet&last_event_id=${await newestId()}`, {}, quiet.baseUrl);
      await waitFor(() => sse.frames.length > 0, 5000, 'the opening frame');
      // A plain keep-alive exchange that starts after the stream: once the server has closed that
      // idle socket, the stream has been idle for longer than the keep-alive timeout too.
      let answer = '';
      control.setEncoding('latin1');
      control.on('data', (chunk: string) => (answer += chunk));
      const controlClosed = new Promise<void>((resolve) => control.once('close', () => resolve()));
      control.write('GET /firehose/client.js HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await within(controlClosed, 10_000, 'the server closing an idle keep-alive socket');
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(sse.isEnded).toBe(false);
      await quiet.firehose.broadcast('quiet', { n: 1 });
      await sse.waitForDataFrames(1);
    } finally {
      control.destroy();
      for (const connection of open.splice(0)) connection.close();
      await quiet.close();
    }
  });

  it('ends open responses at shutdown, without forceCloseConnections', async () => {
    const other = await createFirehoseHttpApp({
      url: db.url,
      firehose: { authorizer: AllowAllStreamsAuthorizer },
      forceCloseConnections: false,
    });
    const sse = await connect('streams=shutdown', {}, other.baseUrl);
    await waitFor(() => sse.frames.length > 0, 5000, 'the opening frame');
    // Without the module ending it, the open response keeps Node's server.close() waiting forever.
    const closing = other.close();
    try {
      await within(closing, 5000, 'app.close() with an SSE client still connected');
    } finally {
      other.app.getHttpServer().closeAllConnections();
      await closing;
    }
    await within(sse.ended, 5000, 'the end of the response');
    // Ended with the last chunk, not cut off: the client saw a complete response.
    expect(sse.isEnded).toBe(true);
    expect(sse.completed).toBe(true);
  });

  it('ends the response of a client that stops reading, while a reading client gets every event', async () => {
    const limited = await createFirehoseHttpApp({
      url: db.url,
      // Below a burst of the loop below (10 × 100 KB): a burst to a client that reads does not count,
      // only what is still waiting once it has gone to the kernel.
      firehose: { authorizer: AllowAllStreamsAuthorizer, sseMaxPendingBytes: 256 * 1024 },
      // The module warns when it drops the client; that warning is the expected outcome here.
      logger: ['error'],
    });
    const server = limited.app.getHttpServer();
    const openConnections = () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error: Error | null, count: number) => (error ? reject(error) : resolve(count))),
      );
    try {
      const from = await newestId();
      const stalled = await connect(`streams=bulk&last_event_id=${from}`, {}, limited.baseUrl);
      const healthy = await connect(`streams=bulk&last_event_id=${from}`, {}, limited.baseUrl);
      await waitFor(() => stalled.frames.length > 0 && healthy.frames.length > 0, 5000, 'opening frames');
      stalled.pause();
      // Enough to fill both kernel socket buffers on loopback (a few MB), then the bound.
      const payload = 'x'.repeat(100_000);
      const sent: FirehoseEvent[] = [];
      while ((await openConnections()) === 2 && sent.length < 1000) {
        sent.push(...(await Promise.all(Array.from({ length: 10 }, (_, n) => limited.firehose.broadcast('bulk', { n, payload })))));
      }
      // The server hung up on the stalled client (which cannot notice while it does not read).
      await waitFor(async () => (await openConnections()) === 1, 10_000, 'the stalled connection to be closed');
      // Loopback buffers may have taken every frame sent so far; what is sent after the close is
      // what the stalled client is certain to miss.
      sent.push(...(await Promise.all(Array.from({ length: 10 }, (_, n) => limited.firehose.broadcast('bulk', { n, payload })))));
      await healthy.waitForDataFrames(sent.length, 30_000);
      expect(ids(healthy)).toEqual(sent.map((event) => event.id));
      expect(healthy.isEnded).toBe(false);
      // Reading again, the stalled client gets what the kernel still held, in order, then the end.
      stalled.resume();
      await stalled.ended;
      const got = ids(stalled);
      expect(got.length).toBeLessThan(sent.length);
      expect(got).toEqual(sent.slice(0, got.length).map((event) => event.id));
    } finally {
      for (const connection of open.splice(0)) connection.close();
      await limited.close();
    }
  }, 90_000);
});
