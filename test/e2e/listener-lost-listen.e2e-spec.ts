import { createServer } from 'node:net';
import { FirehoseListenerConnectionError, FirehoseModule } from '../../lib/index.js';
import { PgListener } from '../../lib/listener/pg-listener.js';
import { collectLive, waitFor } from '../utils/collect.js';
import { createFirehoseApp } from '../utils/create-firehose-app.js';
import { createFirehoseAppFromModule } from '../utils/create-firehose-app-from-module.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

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
      firehoseModule: FirehoseModule.forRoot({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/nowhere`, reconnectAttempts: 3, reconnectDelay: 20 }),
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
