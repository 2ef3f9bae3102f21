import { createServer } from 'node:net';
import {
  FirehoseListenerConnectionError,
  FirehoseModule,
  isFirehoseReset,
  type FirehoseEvent,
  type FirehoseStreamItem,
} from '../../lib/index.js';
import { PgListener } from '../../lib/listener/pg-listener.js';
import { collectLive, sleep, waitFor } from '../utils/collect.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { createFirehoseAppFromModule } from '../utils/create-firehose-app-from-module.js';
import { TcpProxy } from '../utils/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const STREAMS = ['orders', 'payments', 'audit'];

/** Broadcasts `count` events round-robin over STREAMS, a few at a time, pausing between rounds. */
async function broadcastSteadily(app: FirehoseTestApp, count: number, pauseMs = 2): Promise<FirehoseEvent[]> {
  const events: FirehoseEvent[] = [];
  for (let i = 0; i < count; i += 3) {
    const round = await Promise.all(
      [0, 1, 2].filter((k) => i + k < count).map((k) => app.firehose.broadcast(STREAMS[(i + k) % STREAMS.length], { n: i + k })),
    );
    events.push(...round);
    await sleep(pauseMs);
  }
  return events;
}

function expectExactlyOnceInOrder(received: FirehoseStreamItem[], written: FirehoseEvent[]): void {
  expect(received.filter(isFirehoseReset)).toEqual([]);
  const ids = (received as FirehoseEvent[]).map((e) => e.id);
  expect(ids).toEqual(written.map((e) => e.id).sort((a, b) => a - b));
  for (const stream of STREAMS) {
    const sequences = (received as FirehoseEvent[]).filter((e) => e.stream === stream).map((e) => e.sequence);
    expect(sequences).toEqual(sequences.map((_, i) => sequences[0] + i));
  }
}

describe('listener recovery', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('listener');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('delivers every event once, in order, when the LISTEN backend is killed during a stream of broadcasts', async () => {
    const writer = await createFirehoseApp({ url: db.url, firehose: { cleanupThreshold: 100_000 } });
    const reader = await createFirehoseApp({ url: db.url, firehose: { cleanupThreshold: 100_000 } });
    try {
      const total = 600;
      const received = await collectLive(reader.firehose, STREAMS, total, 30_000);
      const writing = broadcastSteadily(writer, total);
      const listener = reader.app.get(PgListener);
      let kills = 0;
      for (let round = 0; round < 3; round++) {
        // Each kill lands while events are flowing: after another quarter of them arrived.
        await waitFor(() => received.items.length >= ((round + 1) * total) / 4, 20_000, `${round + 1} quarters of the events`);
        const pid = listener.backendPid;
        if (!pid) continue;
        const [{ killed }] = await db.query('SELECT pg_terminate_backend($1) AS killed', [pid]);
        if (killed) kills++;
        await waitFor(() => listener.state === 'connected' && listener.backendPid !== pid, 10_000, 'the listener to reconnect');
      }
      const written = await writing;
      expect(kills).toBe(3);
      expectExactlyOnceInOrder(await received.done, written);
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it('reports unhealthy while PostgreSQL stays unreachable past every retry, then catches up when it is back', async () => {
    const proxy = TcpProxy.forUrl(db.url);
    await proxy.start();
    const writer = await createFirehoseApp({ url: db.url, firehose: { cleanupThreshold: 100_000 } });
    // The reader reaches PostgreSQL only through the proxy: its pool and its listener both go dark.
    const reader = await createFirehoseApp({
      url: proxy.rewrite(db.url),
      firehose: { cleanupThreshold: 100_000, reconnectAttempts: 3, reconnectDelay: 50, heartbeatInterval: 200, heartbeatTimeout: 200 },
    });
    try {
      const before = 30;
      const during = 60;
      const after = 30;
      const received = await collectLive(reader.firehose, STREAMS, before + during + after, 30_000);
      const written = await broadcastSteadily(writer, before);
      await waitFor(() => received.items.length === before, 5_000, 'the first events');

      await proxy.cut();
      // First `reconnecting` while it retries, then `unhealthy` once reconnectAttempts have failed.
      const states: string[] = [];
      await waitFor(
        () => {
          const state = reader.firehose.health().listener;
          if (states.at(-1) !== state) states.push(state);
          return state === 'unhealthy';
        },
        10_000,
        'the listener to report unhealthy',
      );
      expect(states).toContain('reconnecting');
      expect(states.indexOf('reconnecting')).toBeLessThan(states.indexOf('unhealthy'));
      written.push(...(await broadcastSteadily(writer, during)));
      await sleep(1_000); // well past 3 attempts at 50, 100 and 200 ms
      expect(reader.firehose.health().listener).toBe('unhealthy');
      expect(received.items.length).toBe(before);

      await proxy.restore();
      await waitFor(() => reader.firehose.health().listener === 'connected', 10_000, 'the listener to reconnect');
      written.push(...(await broadcastSteadily(writer, after)));
      expectExactlyOnceInOrder(await received.done, written);
    } finally {
      await reader.close();
      await writer.close();
      await proxy.stop();
    }
  });
  it('replaces a hung LISTEN backend (socket open, no answers) once a heartbeat times out, and catches up', async () => {
    const writer = await createFirehoseApp({ url: db.url, firehose: { cleanupThreshold: 100_000 } });
    const reader = await createFirehoseApp({
      url: db.url,
      firehose: { cleanupThreshold: 100_000, heartbeatInterval: 100, heartbeatTimeout: 200 },
    });
    const listener = reader.app.get(PgListener);
    const hungPid = listener.backendPid!;
    // SIGSTOP freezes the backend: TCP stays up, so only the heartbeat's timeout can notice.
    const [{ pid: osPid }] = await db.query('SELECT pid FROM pg_stat_activity WHERE pid = $1', [hungPid]);
    let stopped = false;
    try {
      const total = 60;
      const received = await collectLive(reader.firehose, STREAMS, total, 20_000);
      process.kill(osPid, 'SIGSTOP');
      stopped = true;
      const written = await broadcastSteadily(writer, total, 10);
      await waitFor(() => listener.state === 'connected' && listener.backendPid !== hungPid, 10_000, 'a new LISTEN connection');
      expectExactlyOnceInOrder(await received.done, written);
    } finally {
      if (stopped) process.kill(osPid, 'SIGCONT');
      await reader.close();
      await writer.close();
    }
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('listener: a LISTEN lost without a disconnect, and a boot that cannot listen', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('listen_lost');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('notices an UNLISTEN on its own session at the next heartbeat, listens again and catches up', async () => {
    const reader = await createFirehoseApp({ url: db.url, firehose: { heartbeatInterval: 200, heartbeatTimeout: 1000 } });
    const writer = await createFirehoseApp({ url: db.url });
    try {
      const listener = reader.app.get(PgListener) as unknown as { client: { query(sql: string): Promise<unknown> }; backendPid: number };
      const pid = listener.backendPid;
      const received = await collectLive(reader.firehose, 'unlistened', 3, 15_000);
      const first = await writer.firehose.broadcast('unlistened', 1);
      // What a transaction pooler does to a session it hands to someone else: the socket stays
      // open and healthy, only the LISTEN is gone, so no notification will ever come.
      await listener.client.query('UNLISTEN *');
      const missed = await writer.firehose.broadcast('unlistened', 2);
      const later = await writer.firehose.broadcast('unlistened', 3);
      expect(await received.done).toEqual([first, missed, later]);
      await waitFor(() => reader.firehose.health().listener === 'connected', 10_000, 'the listener to report connected');
      // It replaced the session rather than trusting it again.
      expect(listener.backendPid).not.toBe(pid);
      const alive = await db.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [listener.backendPid]);
      expect(alive).toEqual([{ n: 1 }]);
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('fails the boot with the listener connection error after reconnectAttempts when databaseUrl is unreachable', async () => {
    const port = await closedPort();
    const started = createFirehoseAppFromModule({
      url: db.url,
      firehoseModule: FirehoseModule.forRoot({
        databaseUrl: `postgres://postgres@127.0.0.1:${port}/nowhere`,
        reconnectAttempts: 3,
        reconnectDelay: 20,
      }),
      logger: false,
    });
    const error = await started.then(
      async (app) => {
        await app.close();
        throw new Error('the app booted without a LISTEN connection');
      },
      (failure: Error) => failure,
    );
    expect(error).toBeInstanceOf(FirehoseListenerConnectionError);
    expect(error.message).toMatch(/after 3 attempts/);
    expect(error.message).toMatch(/ECONNREFUSED|connect/i);
  });
});
