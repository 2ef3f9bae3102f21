import { isFirehoseReset, type FirehoseEvent, type FirehoseStreamItem } from '../../lib/index.js';
import { waitFor } from '../utils/collect.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const PAGE = 7;
const STREAMS = ['paged-a', 'paged-b'];

describe(`replay in pages of ${PAGE} while writers run`, () => {
  let db: TestDatabase;
  let t: FirehoseTestApp;

  beforeAll(async () => {
    db = await createTestDatabase('replay_pages');
    t = await createFirehoseApp({ url: db.url, firehose: { replayBatchSize: PAGE, cleanupThreshold: 100_000 } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('delivers every event after the cursor exactly once, across every page seam and the switch to live', async () => {
    // A backlog of many pages (and a length that is no multiple of the page size).
    const backlog: FirehoseEvent[] = [];
    for (let n = 0; n < 10 * PAGE + 3; n++) backlog.push(await t.firehose.broadcast(STREAMS[n % 2], { n }));

    let writing = true;
    const writers = Promise.all(
      [0, 1, 2].map(async (w) => {
        const events: FirehoseEvent[] = [];
        for (let i = 0; writing; i++) {
          events.push(await t.firehose.broadcast(STREAMS[(w + i) % 2], { w, i }));
          await t.firehose.broadcast('paged-noise', i);
        }
        return events.flat();
      }),
    );
    // Readers join at different points of the backlog, while the writers keep committing.
    const readers = [0, 1, PAGE - 1, PAGE, 3 * PAGE + 2, backlog.length - 1].map((index) => {
      const cursor = backlog[index].id;
      const items: FirehoseStreamItem[] = [];
      const subscription = t.firehose.stream(STREAMS, { lastEventId: cursor }).subscribe((item) => items.push(item));
      return { cursor, items, subscription };
    });
    await waitFor(() => readers.every((r) => r.items.length >= backlog.length), 30_000, 'every reader to pass its backlog');
    writing = false;
    const written = (await writers).flat();
    const last = await t.firehose.broadcast(STREAMS[0], 'last');
    await waitFor(
      () => readers.every((r) => r.items.some((item) => !isFirehoseReset(item) && item.id === last.id)),
      30_000,
      'the last event',
    );
    const all = [...backlog, ...written, last].sort((a, b) => a.id - b.id);
    for (const reader of readers) {
      reader.subscription.unsubscribe();
      expect(reader.items.filter(isFirehoseReset)).toEqual([]);
      const ids = (reader.items as FirehoseEvent[]).map((event) => event.id);
      expect(ids).toEqual(all.filter((event) => event.id > reader.cursor).map((event) => event.id));
    }
    expect(written.length).toBeGreaterThan(PAGE);
  }, 60_000);
});
