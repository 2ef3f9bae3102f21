import type { WebSocket } from 'ws';
import { AllowAllStreamsAuthorizer, type FirehoseEvent } from '../../lib/index.js';
import { FirehoseGateway } from '../../lib/transports/ws/firehose.gateway.js';
import { CapturingLogger } from '../utils/capturing-logger.js';
import { sleep, waitFor } from '../utils/collect.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs, type WsTestClient } from '../utils/ws-client.js';

const KEEP = 20;

describe('WebSocket transport', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  const logger = new CapturingLogger();
  const open: WsTestClient[] = [];

  const connect = async (base = t.wsUrl, options = {}) => {
    const client = await openWs(`${base}/firehose`, options);
    open.push(client);
    return client;
  };
  /** Connected and subscribed live (confirmed), so every later broadcast reaches it. */
  const subscribed = async (streams: string[], last_event_id?: number, base?: string) => {
    const client = await connect(base);
    client.send({ command: 'subscribe', streams, last_event_id });
    await client.waitForControl('subscribed');
    return client;
  };
  const ids = (client: WsTestClient) => client.events().map((frame) => frame.id);

  beforeAll(async () => {
    db = await createTestDatabase('ws');
    t = await createFirehoseHttpApp({
      url: db.url,
      logger,
      firehose: {
        authorizer: AllowAllStreamsAuthorizer,
        cleanupThreshold: KEEP,
        cleanupInterval: 60_000,
        maxStreamsPerConnection: 3,
        maxFrameBytes: 1024,
      },
    });
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it("sends the Firehose protocol's event frame, keys in order, after the subscribed confirmation", async () => {
    const client = await subscribed(['shape']);
    expect(client.texts).toEqual(['{"type":"subscribed","streams":["shape"]}']);
    const event = await t.firehose.broadcast('shape', { type: 'refresh', n: 1 });
    await client.waitForEvents(1);
    expect(client.texts[1]).toBe(
      `{"id":${event.id},"stream":"shape","data":{"type":"refresh","n":1},"sequence":1,"channel_id":${event.streamId}}`,
    );
  });

  it('replays after last_event_id, then confirms, then goes live', async () => {
    const before: FirehoseEvent[] = [];
    for (let n = 1; n <= 3; n++) before.push(await t.firehose.broadcast('order', n));
    const client = await subscribed(['order'], before[0].id - 1);
    const live = await t.firehose.broadcast('order', 4);
    await client.waitForEvents(4);
    expect(client.frames.map((frame) => frame.type ?? frame.id)).toEqual([...before.map((event) => event.id), 'subscribed', live.id]);
  });

  it('resumes by last_event_id while broadcasts continue: every later event exactly once, in order', async () => {
    const before: FirehoseEvent[] = [];
    for (let n = 1; n <= 15; n++) before.push(await t.firehose.broadcast('resume', n));
    const during = (async () => {
      const events: FirehoseEvent[] = [];
      for (let n = 16; n <= 25; n++) {
        events.push(await t.firehose.broadcast('resume', n));
        await t.firehose.broadcast('resume-noise', n);
      }
      return events;
    })();
    const client = await connect();
    client.send({ command: 'subscribe', streams: ['resume'], last_event_id: before[4].id });
    // A last event after the others: a duplicate would have been sent before it.
    const expected = [...before.slice(5), ...(await during), await t.firehose.broadcast('resume', 'last')];
    await client.waitForEvents(expected.length);
    expect(ids(client)).toEqual(expected.map((event) => event.id));
    expect(client.events().map((frame) => frame.sequence)).toEqual(Array.from({ length: 21 }, (_, i) => i + 6));
    expect(client.control('subscribed')).toHaveLength(1);
  });

  it('sends a reset frame when the history after the cursor was trimmed, then goes on live', async () => {
    const events: FirehoseEvent[] = [];
    for (let n = 1; n <= KEEP + 10; n++) events.push(await t.firehose.broadcast('trimmed', n));
    await t.firehose.cleanup();
    const client = await subscribed(['trimmed'], events[0].id);
    expect(client.texts[0]).toBe(`{"type":"reset","stream":"trimmed","last_event_id":${events.at(-1)!.id},"reason":"history-trimmed"}`);
    const next = await t.firehose.broadcast('trimmed', 'after');
    await client.waitForEvents(1);
    expect(ids(client)).toEqual([next.id]);
  });

  it('adds streams with a later subscribe, stops them with unsubscribe, and never sends an event twice', async () => {
    const client = await subscribed(['sub-a', 'sub-b']);
    const first = await t.firehose.broadcast('sub-a', 1);
    await client.waitForEvents(1);
    // Naming a live stream again with an older cursor neither replays nor duplicates it.
    client.send({ command: 'subscribe', streams: ['sub-a', 'sub-c'], last_event_id: first.id - 1 });
    await client.waitForControl('subscribed', 2);
    expect(client.control('subscribed')[1]).toEqual({ type: 'subscribed', streams: ['sub-a', 'sub-c'] });
    client.send({ command: 'unsubscribe', streams: ['sub-a'] });
    await client.waitForControl('unsubscribed');
    expect(client.control('unsubscribed')).toEqual([{ type: 'unsubscribed', streams: ['sub-a'] }]);
    await t.firehose.broadcast('sub-a', 2);
    const b = await t.firehose.broadcast('sub-b', 3);
    const c = await t.firehose.broadcast('sub-c', 4);
    // sub-a's event came before these two: once they are here, it was not sent.
    await client.waitForEvents(3);
    expect(ids(client)).toEqual([first.id, b.id, c.id]);
  });

  describe('bad frames', () => {
    it.each([
      ['{not json', 'invalid-json', /not JSON/],
      ['[1,2]', 'invalid-json', /not a JSON object/],
      [{ command: 'listen', streams: ['a'] }, 'unknown-command', /Unknown command "listen"; send \{"command":"subscribe"/],
      [
        { event: 'subscribe', data: { streams: ['a'] } },
        'unknown-command',
        /Nest's \{"event":…\} frames are not Firehose commands; send \{"command":"subscribe"/,
      ],
      [{ command: 'subscribe' }, 'invalid-command', /needs "streams", a non-empty array/],
      [{ command: 'subscribe', streams: ['ok', 'bad\u0001name'] }, 'invalid-stream', /control characters/],
      [{ command: 'subscribe', streams: [''] }, 'invalid-stream', /it is empty/],
      [{ command: 'subscribe', streams: ['a'], last_event_id: -1 }, 'invalid-command', /Invalid last_event_id -1/],
      [{ command: 'subscribe', streams: ['a', 'b', 'c', 'd'] }, 'too-many-streams', /Too many streams: 4 would be subscribed, at most 3/],
    ])('answers %p with an error frame (%s) and stays usable', async (frame, code, message) => {
      const before = logger.logs.length;
      const client = await connect();
      client.send(frame);
      const [error] = await client.waitForControl('error');
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      client.send({ command: 'subscribe', streams: ['after-error'] });
      await client.waitForControl('subscribed');
      expect(client.isClosed).toBe(false);
      // Nest's adapter also sees the frame, finds no `event`, and drops it without a log line.
      expect(logger.logs.slice(before).filter((log) => log.level === 'error' || log.level === 'warn')).toEqual([]);
    });

    it('counts streams already subscribed against maxStreamsPerConnection', async () => {
      const client = await subscribed(['cap-1', 'cap-2']);
      client.send({ command: 'subscribe', streams: ['cap-2', 'cap-3', 'cap-4'] });
      const [error] = await client.waitForControl('error');
      expect(error).toMatchObject({ code: 'too-many-streams', streams: ['cap-3', 'cap-4'] });
    });

    it('closes with 1009 when a frame is larger than maxFrameBytes, without an error in the logs', async () => {
      const before = logger.logs.length;
      const client = await connect();
      client.send({ command: 'subscribe', streams: ['x'.repeat(2000)] });
      expect((await client.closed).code).toBe(1009);
      await sleep(50);
      expect(logger.logs.slice(before).filter((log) => log.level === 'error' || log.level === 'warn')).toEqual([]);
    });
  });

  it("releases the per-client bindings of Nest's adapter: only the gateway reads a socket's frames", async () => {
    const client = await subscribed(['bindings']);
    const gateway = t.app.get(FirehoseGateway) as unknown as { connections: Map<WebSocket, unknown> };
    const sockets = [...gateway.connections.keys()];
    expect(sockets.length).toBeGreaterThan(0);
    // Nest's adapter adds a `message` listener (its rxjs chain) and two `close` listeners per client.
    for (const socket of sockets) expect(socket.listenerCount('message')).toBe(1);
    // Frames are still read after the release.
    client.send({ command: 'unsubscribe', streams: ['bindings'] });
    await client.waitForControl('unsubscribed');
  });

  it('terminates a peer that does not answer pings, and keeps one that does', async () => {
    const beating = await createFirehoseHttpApp({
      url: db.url,
      firehose: { authorizer: AllowAllStreamsAuthorizer, wsHeartbeatInterval: 100 },
    });
    try {
      const deaf = await connect(beating.wsUrl, { autoPong: false });
      const healthy = await connect(beating.wsUrl);
      let pings = 0;
      healthy.socket.on('ping', () => pings++);
      const { code } = await deaf.closed;
      expect(code).toBe(1006);
      // A peer that missed a pong is terminated at the next ping: two more pings received show
      // the answering peer was judged alive at least twice.
      const seen = pings;
      await waitFor(() => pings >= seen + 2 || healthy.isClosed, 10_000, 'two more pings');
      expect(healthy.isClosed).toBe(false);
    } finally {
      await beating.close();
    }
  });

  it('closes open sockets with 1001 at shutdown', async () => {
    const other = await createFirehoseHttpApp({ url: db.url, firehose: { authorizer: AllowAllStreamsAuthorizer } });
    const client = await subscribed(['shutdown'], undefined, other.wsUrl);
    await other.close();
    expect((await client.closed).code).toBe(1001);
  });

  it('closes a client that stops reading with 4008, while a reading client gets every event', async () => {
    const limited = await createFirehoseHttpApp({
      url: db.url,
      firehose: { authorizer: AllowAllStreamsAuthorizer, wsMaxBufferedBytes: 256 * 1024 },
    });
    // The gateway's own view of its sockets: the stalled client cannot notice it is being closed.
    const connections = (limited.app.get(FirehoseGateway) as unknown as { connections: Map<WebSocket, unknown> }).connections;
    const sockets = () => [...connections.keys()];
    try {
      const stalled = await subscribed(['bulk'], undefined, limited.wsUrl);
      const healthy = await subscribed(['bulk'], undefined, limited.wsUrl);
      // Stop reading at the TCP level, like a hung client: the server's send buffer fills.
      (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      const payload = 'x'.repeat(100_000);
      const sent: FirehoseEvent[] = [];
      while (sockets().every((socket) => socket.readyState === 1) && sent.length < 600) {
        sent.push(...(await Promise.all(Array.from({ length: 10 }, (_, n) => limited.firehose.broadcast('bulk', { n, payload })))));
      }
      await waitFor(() => sockets().some((socket) => socket.readyState !== 1), 10_000, 'the stalled socket to be closed');
      // Loopback buffers may have taken every frame sent so far; what is sent after the close is
      // what the stalled client is certain to miss.
      sent.push(...(await Promise.all(Array.from({ length: 10 }, (_, n) => limited.firehose.broadcast('bulk', { n, payload })))));
      await healthy.waitForEvents(sent.length, 30_000);
      expect(ids(healthy)).toEqual(sent.map((event) => event.id));
      expect(healthy.isClosed).toBe(false);
      // Reading again, the stalled client gets what was already sent, in order, then the 4008 close,
      // unless the server already dropped the socket for not answering it (1006).
      (stalled.socket as unknown as { _socket: { resume(): void } })._socket.resume();
      expect([4008, 1006]).toContain((await stalled.closed).code);
      const got = ids(stalled);
      expect(got.length).toBeLessThan(sent.length);
      expect(got).toEqual(sent.slice(0, got.length).map((event) => event.id));
    } finally {
      await limited.close();
    }
  }, 90_000);
});
