import { Injectable } from '@nestjs/common';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { createFirehoseAppFromModule } from '../utils/create-firehose-app-from-module.js';
import { listenForNotifications } from '../utils/notify-listener.js';
import { collectLive, waitFor } from '../utils/collect.js';
import { FirehoseConfigurationError, FirehoseModule, type FirehoseModuleOptions, type FirehoseOptionsFactory } from '../../lib/index.js';
import { NOTIFY_SIGNATURE_CHARS } from '../../lib/protocol/notify-payload.js';

/** Subscribes, broadcasts, and checks the event is stored and comes back live unchanged. */
async function expectBroadcastRoundTrip(t: FirehoseTestApp, db: TestDatabase, stream: string): Promise<void> {
  const live = await collectLive(t.firehose, stream, 1, 5_000);
  const event = await t.firehose.broadcast(stream, { hello: stream });
  expect(event).toEqual({ id: expect.any(Number), stream, data: { hello: stream }, sequence: 1, streamId: expect.any(Number) });
  expect(await live.done).toEqual([event]);
  const rows = await db.query(
    'SELECT m.id, m.sequence, m.data FROM firehose_messages m JOIN firehose_channels c ON c.id = m.channel_id WHERE c.name = $1',
    [stream],
  );
  expect(rows).toEqual([{ id: String(event.id), sequence: '1', data: { hello: stream } }]);
}

@Injectable()
class WiringOptionsFactory implements FirehoseOptionsFactory {
  createFirehoseOptions(): FirehoseModuleOptions {
    return { notifyChannel: 'wiring_custom', reconnectDelay: 50 };
  }
}

describe('module wiring', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('module_wiring');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('forRoot gives a working FirehoseService whose health is { listener: "connected" }', async () => {
    const t = await createFirehoseApp({ url: db.url });
    try {
      expect(t.firehose.health()).toEqual({ listener: 'connected' });
      await expectBroadcastRoundTrip(t, db, 'wiring-for-root');
    } finally {
      await t.close();
    }
    expect(t.firehose.health()).toEqual({ listener: 'closed' });
  });

  it('forRootAsync with useFactory gives a working FirehoseService', async () => {
    const t = await createFirehoseApp({ url: db.url, async: true });
    try {
      expect(t.firehose.health()).toEqual({ listener: 'connected' });
      await expectBroadcastRoundTrip(t, db, 'wiring-for-root-async');
    } finally {
      await t.close();
    }
  });

  it('forRootAsync with useClass applies the options of createFirehoseOptions()', async () => {
    const raw = await listenForNotifications(db.url, ['wiring_custom']);
    const t = await createFirehoseAppFromModule({
      url: db.url,
      firehoseModule: FirehoseModule.forRootAsync({ useClass: WiringOptionsFactory }),
    });
    try {
      expect(t.firehose.health()).toEqual({ listener: 'connected' });
      await expectBroadcastRoundTrip(t, db, 'wiring-use-class');
      // The factory's channel is the one NOTIFY used, not the default 'firehose'.
      expect(raw.received.map((n) => [n.channel, JSON.parse(n.payload.slice(NOTIFY_SIGNATURE_CHARS))[0].stream])).toEqual([
        ['wiring_custom', 'wiring-use-class'],
      ]);
    } finally {
      await t.close();
      await raw.close();
    }
  });

  describe('rejects invalid options at boot with FirehoseConfigurationError naming the option', () => {
    const cases: Array<[string, FirehoseModuleOptions, RegExp]> = [
      [
        'notifyChannel',
        { notifyChannel: 'Bad-Name' },
        /^Invalid Firehose configuration: notifyChannel "Bad-Name" is not a lower-case SQL identifier/,
      ],
      [
        'cleanupThreshold',
        { cleanupThreshold: 0 },
        /^Invalid Firehose configuration: cleanupThreshold must be a positive integer, got 0\.$/,
      ],
      [
        'notifyMaxBytes',
        { notifyMaxBytes: 9000 },
        /^Invalid Firehose configuration: notifyMaxBytes 9000 exceeds PostgreSQL's NOTIFY limit; use at most 7999\.$/,
      ],
    ];

    it.each(cases)('%s (forRoot)', async (_option, invalid, message) => {
      const boot = createFirehoseAppFromModule({ url: db.url, firehoseModule: FirehoseModule.forRoot(invalid), logger: false });
      await expect(boot).rejects.toThrow(FirehoseConfigurationError);
      await expect(boot).rejects.toThrow(message);
    });

    it.each(cases)('%s (forRootAsync)', async (_option, invalid, message) => {
      const boot = createFirehoseAppFromModule({
        url: db.url,
        firehoseModule: FirehoseModule.forRootAsync({ useFactory: async () => invalid }),
        logger: false,
      });
      await expect(boot).rejects.toThrow(FirehoseConfigurationError);
      await expect(boot).rejects.toThrow(message);
    });
  });

  it('two apps in one process on one database receive each other’s broadcasts', async () => {
    const a = await createFirehoseApp({ url: db.url });
    const b = await createFirehoseApp({ url: db.url });
    let aClosed = false;
    try {
      const atA = await collectLive(a.firehose, 'wiring-shared', 2, 5_000);
      const atB = await collectLive(b.firehose, 'wiring-shared', 2, 5_000);
      const fromA = await a.firehose.broadcast('wiring-shared', 'from a');
      const fromB = await b.firehose.broadcast('wiring-shared', 'from b');
      expect([fromA.sequence, fromB.sequence]).toEqual([1, 2]);
      expect(await atA.done).toEqual([fromA, fromB]);
      expect(await atB.done).toEqual([fromA, fromB]);
      // Each app has its own LISTEN connection: closing one leaves the other delivering.
      await a.close();
      aClosed = true;
      const afterClose = await collectLive(b.firehose, 'wiring-shared', 1, 5_000);
      const third = await b.firehose.broadcast('wiring-shared', 'after a closed');
      expect(await afterClose.done).toEqual([third]);
      expect(b.firehose.health()).toEqual({ listener: 'connected' });
    } finally {
      if (!aClosed) await a.close();
      await b.close();
    }
  });

  it('after every app closed and every failed boot, no connection to the database is left open', async () => {
    const open = async () =>
      (await db.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db.name]))[0].n;
    // A backend leaves pg_stat_activity shortly after its client disconnects.
    await waitFor(async () => (await open()) === 0, 2_000, 'connections to close').catch(() => undefined);
    expect(await open()).toBe(0);
  });
});
