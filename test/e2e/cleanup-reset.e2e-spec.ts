import { DataSource, type QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { collect, collectLive, waitFor } from '../utils/collect.js';
import type { FirehoseEvent, FirehoseReset, FirehoseStreamItem } from '../../lib/index.js';

const KEEP = 5;

describe('cleanup and reset', () => {
  let db: TestDatabase;
  let t: FirehoseTestApp;

  beforeAll(async () => {
    db = await createTestDatabase('cleanup_reset');
    // A long interval: in these tests only an explicit cleanup() trims.
    t = await createFirehoseApp({ url: db.url, firehose: { cleanupThreshold: KEEP, cleanupInterval: 60_000 } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const keptSequences = async (stream: string) =>
    (
      await db.query(
        'SELECT m.sequence FROM firehose_messages m JOIN firehose_channels c ON c.id = m.channel_id WHERE c.name = $1 ORDER BY m.id',
        [stream],
      )
    ).map((row) => Number(row.sequence));

  /**
   * Broadcasts 20 events on `stream` (one group-commit batch, so sequences 1..20 in call order),
   * with `interleaved` events of `other` between them when given, then runs a cleanup pass.
   */
  async function seedAndTrim(stream: string, other?: string): Promise<{ events: FirehoseEvent[]; others: FirehoseEvent[] }> {
    const calls: Promise<FirehoseEvent>[] = [];
    const otherCalls: Promise<FirehoseEvent>[] = [];
    for (let n = 1; n <= 20; n++) {
      calls.push(t.firehose.broadcast(stream, { n }));
      if (other && n % 5 === 0) otherCalls.push(t.firehose.broadcast(other, { n }));
    }
    const events = await Promise.all(calls);
    const others = await Promise.all(otherCalls);
    expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await t.firehose.cleanup();
    return { events, others };
  }

  it('keeps exactly the newest cleanupThreshold events of a stream and records what it pruned', async () => {
    const { events, others } = await seedAndTrim('trimmed', 'untouched');
    expect(await keptSequences('trimmed')).toEqual([16, 17, 18, 19, 20]);
    expect(await keptSequences('untouched')).toEqual([1, 2, 3, 4]);
    const channels = await db.query(
      "SELECT name, sequence, pruned_id FROM firehose_channels WHERE name IN ('trimmed', 'untouched') ORDER BY name",
    );
    expect(channels).toEqual([
      { name: 'trimmed', sequence: '20', pruned_id: String(events[14].id) },
      { name: 'untouched', sequence: '4', pruned_id: '0' },
    ]);
    expect(others.map((e) => e.sequence)).toEqual([1, 2, 3, 4]);
  });

  it('a cursor before the kept window yields one history-trimmed reset, no partial replay, then live events', async () => {
    const { events } = await seedAndTrim('reset-me');
    const items = collect(t.firehose.stream('reset-me', { lastEventId: events[1].id }), 2, 5_000);
    await waitFor(() => items.items.length >= 1, 5_000, 'the reset');
    expect(items.items).toEqual([{ type: 'reset', stream: 'reset-me', reason: 'history-trimmed', lastEventId: events[19].id }]);
    const live = await t.firehose.broadcast('reset-me', { n: 21 });
    expect(await items.done).toEqual([{ type: 'reset', stream: 'reset-me', reason: 'history-trimmed', lastEventId: events[19].id }, live]);
    expect(live.sequence).toBe(21);
  });

  it('a cursor at the newest pruned id replays the whole kept window without a reset', async () => {
    const { events } = await seedAndTrim('edge');
    const items = collect(t.firehose.stream('edge', { lastEventId: events[14].id }), 5, 5_000);
    expect(await items.done).toEqual(events.slice(15));
  });

  it('a cursor inside the kept window replays exactly the events after it, then live ones', async () => {
    const { events } = await seedAndTrim('window');
    const items = collect(t.firehose.stream('window', { lastEventId: events[16].id }), 4, 5_000);
    await waitFor(() => items.items.length >= 3, 5_000, 'the replay');
    expect(items.items).toEqual([events[17], events[18], events[19]]);
    const live = await t.firehose.broadcast('window', { n: 21 });
    expect(await items.done).toEqual([events[17], events[18], events[19], live]);
  });

  it('a cursor beyond the newest id yields a cursor-ahead reset, then live events', async () => {
    const { events } = await seedAndTrim('ahead');
    const [{ max }] = await db.query('SELECT max(id)::int AS max FROM firehose_messages');
    // This stream was written last, so its newest id is also the database's newest id.
    expect(max).toBe(events[19].id);
    const items = collect(t.firehose.stream('ahead', { lastEventId: max + 1_000_000 }), 2, 5_000);
    await waitFor(() => items.items.length >= 1, 5_000, 'the reset');
    expect(items.items).toEqual([{ type: 'reset', stream: 'ahead', reason: 'cursor-ahead', lastEventId: events[19].id }]);
    const live = await t.firehose.broadcast('ahead', 'after the reset');
    expect(await items.done).toEqual([{ type: 'reset', stream: 'ahead', reason: 'cursor-ahead', lastEventId: events[19].id }, live]);
  });

  it('a stream cleanup did not trim replays fully, even beside a trimmed one in the same subscription', async () => {
    const { events, others } = await seedAndTrim('trimmed-2', 'untouched-2');
    const alone = collect(t.firehose.stream('untouched-2', { lastEventId: 0 }), 4, 5_000);
    expect(await alone.done).toEqual(others);

    const both = collect(t.firehose.stream(['trimmed-2', 'untouched-2'], { lastEventId: events[1].id }), 5, 5_000);
    const items: FirehoseStreamItem[] = await both.done;
    const reset: FirehoseReset = { type: 'reset', stream: 'trimmed-2', reason: 'history-trimmed', lastEventId: events[19].id };
    expect(items).toEqual([reset, ...others]);
  });

  it('the cleanup timer trims on its own, without cleanup() being called', async () => {
    const timed = await createFirehoseApp({ url: db.url, firehose: { cleanupThreshold: KEEP, cleanupInterval: 100 } });
    try {
      const events = await Promise.all(Array.from({ length: 12 }, (_, i) => timed.firehose.broadcast('timed', { n: i + 1 })));
      expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      await waitFor(async () => (await keptSequences('timed')).length === KEEP, 3_000, 'the timed cleanup');
      expect(await keptSequences('timed')).toEqual([8, 9, 10, 11, 12]);
      // It keeps running: a later write is trimmed on a later pass.
      await Promise.all(Array.from({ length: 3 }, (_, i) => timed.firehose.broadcast('timed', { n: 13 + i })));
      await waitFor(async () => (await keptSequences('timed'))[0] === 11, 3_000, 'the second timed cleanup');
      expect(await keptSequences('timed')).toEqual([11, 12, 13, 14, 15]);
    } finally {
      await timed.close();
    }
  });

  describe('stream() without lastEventId', () => {
    // Without lastEventId a stream delivers only events committed after it starts, though the hub
    // may still be dispatching older ones: the NOTIFY's trip to the listener, or longer while a
    // by-reference fetch is in flight. To make that window wide and certain, the test holds every
    // pooled connection so the hub's fetch of an earlier by-reference event waits, commits the
    // target event on a connection it already holds, subscribes, and only then frees the pool.
    it('does not deliver an event committed before the subscription started', async () => {
      const app = await createFirehoseApp({ url: db.url, firehose: { notifyMaxBytes: 500, cleanupInterval: 60_000 } });
      const dataSource = app.app.get(DataSource);
      const runners: QueryRunner[] = [];
      try {
        const blocker = await collectLive(app.firehose, 'lag-blocker', 1, 5_000);
        // poolSize is 10 in createFirehoseApp: hold all of them.
        for (let i = 0; i < 10; i++) {
          const runner = dataSource.createQueryRunner();
          await runner.connect();
          runners.push(runner);
        }
        const commitOn = async (stream: string, data: unknown) => {
          await runners[0].startTransaction();
          const event = await app.firehose.broadcast(stream, data, { manager: runners[0].manager });
          await runners[0].commitTransaction();
          return event;
        };
        const big = await commitOn('lag-blocker', 'x'.repeat(600)); // by reference: the hub must fetch it
        const committedBefore = await commitOn('lag-target', 'committed before subscribing');

        const received: FirehoseStreamItem[] = [];
        let live = false;
        const subscription = app.firehose.stream('lag-target', { onLive: () => (live = true) }).subscribe((item) => received.push(item));
        await Promise.all(runners.splice(0).map((runner) => runner.release()));
        expect(await blocker.done).toEqual([big]);
        // A later event of the same stream, once the stream is live (so it is certainly delivered):
        // the earlier one, if delivered at all, comes before it.
        await waitFor(() => live, 5_000, 'the subscription to go live');
        const after = await app.firehose.broadcast('lag-target', 'committed after subscribing');
        await waitFor(() => received.length > 0, 5_000, 'the later event');
        subscription.unsubscribe();
        expect(received).not.toContainEqual(committedBefore);
        expect(received).toEqual([after]);
      } finally {
        await Promise.all(runners.map((runner) => runner.release()));
        await app.close();
      }
    });
  });
});
