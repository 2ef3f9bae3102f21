import type { Subscription } from 'rxjs';
import { isFirehoseReset, type FirehoseEvent, type FirehoseStreamItem } from '../../lib/index.js';
import { startChildApp, type ChildApp } from '../utils/child-app.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { waitFor } from '../utils/collect.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const STREAMS = Array.from({ length: 20 }, (_, i) => `stream-${i}`);
const WRITERS_PER_PROCESS = 4;
const BROADCASTS_PER_WRITER = 150;
const TOTAL = 2 * WRITERS_PER_PROCESS * BROADCASTS_PER_WRITER;
// Keep everything: this test is about ordering, not retention.
const KEEP_ALL = { cleanupThreshold: 1_000_000 };

describe('concurrent writers across two processes', () => {
  let db: TestDatabase;
  let t: FirehoseTestApp;
  let child: ChildApp;

  beforeAll(async () => {
    db = await createTestDatabase('concurrent');
    t = await createFirehoseApp({ url: db.url, firehose: KEEP_ALL });
    child = await startChildApp(db.url, KEEP_ALL);
  });
  afterAll(async () => {
    await child?.close();
    await t?.close();
    await db?.drop();
  });

  it('a reader that keeps resuming by id sees every event exactly once, in sequence order per stream', async () => {
    const seen: FirehoseEvent[] = [];
    const resets: FirehoseStreamItem[] = [];
    let cursor = 0;
    let resumes = 0;
    let writing = true;

    // Subscribes from the cursor, takes a random handful of events or waits a random while,
    // unsubscribes and resumes from the last id it saw, over and over.
    const reader = (async () => {
      while (writing || seen.length < TOTAL) {
        await new Promise<void>((resolve) => {
          const take = 1 + Math.floor(Math.random() * 120);
          let taken = 0;
          let subscription: Subscription | undefined;
          const finish = () => {
            clearTimeout(timer);
            subscription?.unsubscribe();
            resolve();
          };
          const timer = setTimeout(finish, 5 + Math.random() * 60);
          subscription = t.firehose.stream(STREAMS, { lastEventId: cursor }).subscribe((item) => {
            if (isFirehoseReset(item)) resets.push(item);
            else {
              seen.push(item);
              cursor = item.id;
            }
            if (++taken >= take) finish();
          });
        });
        resumes++;
      }
    })();

    const local = Promise.all(
      Array.from({ length: WRITERS_PER_PROCESS }, async (_, w) => {
        const events: FirehoseEvent[] = [];
        for (let i = 0; i < BROADCASTS_PER_WRITER; i++) {
          events.push(await t.firehose.broadcast(STREAMS[(w * 3 + i) % STREAMS.length], { writer: `parent-${w}`, i }));
        }
        return events;
      }),
    );
    const remote = child.call<{ events: Array<{ id: number; stream: string; sequence: number; data: unknown }> }>('write', {
      writers: WRITERS_PER_PROCESS,
      count: BROADCASTS_PER_WRITER,
      streams: STREAMS,
    });
    const [localEvents, remoteResult] = await Promise.all([local, remote]);
    writing = false;
    await waitFor(() => seen.length >= TOTAL, 20_000, `reader to see ${TOTAL} events (saw ${seen.length})`);
    await reader;

    const written = [...localEvents.flat(), ...remoteResult.events];
    expect(written).toHaveLength(TOTAL);
    expect(resets).toEqual([]);
    expect(resumes).toBeGreaterThan(10);

    // Exactly once: the reader's ids are the written ids and the stored ids, with no repeat.
    const seenIds = seen.map((e) => e.id);
    expect(new Set(seenIds).size).toBe(seenIds.length);
    expect([...seenIds].sort((a, b) => a - b)).toEqual(written.map((e) => e.id).sort((a, b) => a - b));
    const stored = await db.query<{ id: string }>('SELECT id FROM firehose_messages ORDER BY id');
    expect(stored.map((r) => Number(r.id))).toEqual([...seenIds].sort((a, b) => a - b));

    // In order: ids only grow, and each stream's sequences run 1, 2, 3… without a gap.
    expect(seenIds).toEqual([...seenIds].sort((a, b) => a - b));
    const byStream = new Map<string, number[]>();
    for (const event of seen) byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event.sequence]);
    for (const sequences of byStream.values()) {
      expect(sequences).toEqual(sequences.map((_, i) => i + 1));
    }
    // Each event arrives with the stream, sequence and data its writer sent, from both processes.
    const byId = new Map(written.map((event) => [event.id, event]));
    for (const event of seen) {
      const sent = byId.get(event.id)!;
      expect({ stream: event.stream, sequence: event.sequence, data: event.data }).toEqual({
        stream: sent.stream,
        sequence: sent.sequence,
        data: sent.data,
      });
    }
    const writers = new Set(seen.map((event) => (event.data as { writer: string }).writer));
    expect(writers.size).toBe(2 * WRITERS_PER_PROCESS);
  });
});
