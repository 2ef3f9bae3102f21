import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { collect, collectLive } from '../utils/collect.js';
import {
  FirehosePayloadTooLargeError,
  FirehoseQueueClosedError,
  FirehoseQueueTimeoutError,
  FirehoseUnserializableDataError,
  FirehoseInvalidCursorError,
  FirehoseInvalidStreamNameError,
  type FirehoseEvent,
} from '../../lib/index.js';

const MAX_PAYLOAD = 1000;

const circular = (): object => {
  const node: Record<string, unknown> = { name: 'loop' };
  node.self = node;
  return node;
};

const invalidStreamNames: Array<[string, unknown]> = [
  ['an empty name', ''],
  ['a 256-byte ASCII name', 'x'.repeat(256)],
  ['a 256-byte name of 128 two-byte characters', 'é'.repeat(128)],
  ['a name with a newline', 'a\nb'],
  ['a name with NUL', 'a\u0000b'],
  ['a name with DEL', 'a\u007fb'],
  ['a number', 42],
  ['null', null],
  ['a lone surrogate', '\ud800'],
  ['a name ending in a lone high surrogate', 'stream\ud83d'],
];

const unserializableData: Array<[string, () => unknown]> = [
  ['undefined', () => undefined],
  ['a function', () => () => 1],
  ['a symbol', () => Symbol('s')],
  ['a BigInt', () => 10n],
  ['an object holding a BigInt', () => ({ n: 10n })],
  ['a circular object', circular],
  ['a string with a lone surrogate', () => 'a\ud800b'],
  ['a key with a lone low surrogate', () => ({ '\udc00': 1 })],
  ['a lone surrogate after an escaped backslash', () => '\\\ud800'],
  [
    'a toJSON that throws',
    () => ({
      toJSON: () => {
        throw new Error('nope');
      },
    }),
  ],
];

describe('bad input', () => {
  let db: TestDatabase;
  let t: FirehoseTestApp;

  beforeAll(async () => {
    db = await createTestDatabase('bad_input');
    t = await createFirehoseApp({ url: db.url, firehose: { maxPayloadBytes: MAX_PAYLOAD } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const storedCount = async () => Number((await db.query('SELECT count(*) AS n FROM firehose_messages'))[0].n);

  describe('broadcast()', () => {
    it.each(invalidStreamNames)('rejects %s as stream name with FirehoseInvalidStreamNameError', async (_label, name) => {
      await expect(t.firehose.broadcast(name as string, 'data')).rejects.toThrow(FirehoseInvalidStreamNameError);
    });

    it('accepts a name of exactly 255 UTF-8 bytes, multi-byte included', async () => {
      const [ascii, mixed, pair] = await Promise.all([
        t.firehose.broadcast('x'.repeat(255), 1),
        t.firehose.broadcast(`a${'é'.repeat(127)}`, 2),
        t.firehose.broadcast('stream-😀', 3),
      ]);
      expect([ascii.stream, mixed.stream, pair.stream]).toEqual(['x'.repeat(255), `a${'é'.repeat(127)}`, 'stream-😀']);
    });

    it.each(unserializableData)('rejects %s as data with FirehoseUnserializableDataError', async (_label, make) => {
      await expect(t.firehose.broadcast('bad-data', make())).rejects.toThrow(FirehoseUnserializableDataError);
    });

    it('accepts a string holding the literal text \\ud800 and a surrogate pair, unchanged', async () => {
      const data = { literal: '\\ud800', escapedTwice: '\\\\ud800', pair: '😀', nul: '\u0000' };
      const live = await collectLive(t.firehose, 'odd-but-valid', 1, 5_000);
      const event = await t.firehose.broadcast('odd-but-valid', data);
      expect(await live.done).toEqual([event]);
      const [row] = await db.query('SELECT data FROM firehose_messages WHERE id = $1', [event.id]);
      expect(row.data).toEqual(data);
    });

    it('rejects data over maxPayloadBytes with FirehosePayloadTooLargeError carrying bytes and limit', async () => {
      const tooLarge = t.firehose.broadcast('big', 'x'.repeat(MAX_PAYLOAD - 1)); // JSON adds 2 quotes: 1001 bytes
      await expect(tooLarge).rejects.toThrow(FirehosePayloadTooLargeError);
      await expect(tooLarge).rejects.toMatchObject({ bytes: MAX_PAYLOAD + 1, limit: MAX_PAYLOAD });
      await expect(tooLarge).rejects.toThrow('Payload of 1001 bytes exceeds the 1000-byte limit');
      await expect(tooLarge).rejects.toThrow('maxPayloadBytes');
      // 333 three-byte characters: 335 UTF-16 units, 1001 UTF-8 bytes.
      await expect(t.firehose.broadcast('big', '€'.repeat(333))).rejects.toMatchObject({
        name: 'FirehosePayloadTooLargeError',
        bytes: 1001,
        limit: MAX_PAYLOAD,
      });
      const atLimit = await t.firehose.broadcast('big', 'x'.repeat(MAX_PAYLOAD - 2));
      expect(atLimit.sequence).toBe(1);
    });
  });

  describe('a batch with bad broadcasts in it loses nothing else', () => {
    it('resolves, stores and delivers every good broadcast issued in the same tick as bad ones', async () => {
      const before = await storedCount();
      const live = await collectLive(t.firehose, 'mixed', 6, 5_000);
      const good = (n: number) => ({ kind: 'good', n });
      const calls: Array<['good' | 'bad', Promise<FirehoseEvent>]> = [
        ['good', t.firehose.broadcast('mixed', good(1))],
        ['bad', t.firehose.broadcast('', good(0))],
        ['good', t.firehose.broadcast('mixed', good(2))],
        ['bad', t.firehose.broadcast('mixed', 10n)],
        ['bad', t.firehose.broadcast('mixed', circular())],
        ['good', t.firehose.broadcast('mixed', good(3))],
        ['bad', t.firehose.broadcast('mixed', 'x'.repeat(MAX_PAYLOAD))],
        ['bad', t.firehose.broadcast('mixed\u0000', good(0))],
        ['good', t.firehose.broadcast('mixed', good(4))],
        ['bad', t.firehose.broadcast('mixed', 'lone \udfff')],
        ['bad', t.firehose.broadcast('mixed', undefined)],
        ['good', t.firehose.broadcast('mixed', good(5))],
        ['good', t.firehose.broadcast('mixed', good(6))],
      ];
      const settled = await Promise.allSettled(calls.map(([, call]) => call));
      expect(settled.map((s) => s.status)).toEqual(calls.map(([kind]) => (kind === 'good' ? 'fulfilled' : 'rejected')));
      const events = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      expect(events.map((e) => [e.sequence, e.data])).toEqual([1, 2, 3, 4, 5, 6].map((n) => [n, good(n)]));
      expect(settled.flatMap((s) => (s.status === 'rejected' ? [(s.reason as Error).name] : []))).toEqual([
        'FirehoseInvalidStreamNameError',
        'FirehoseUnserializableDataError',
        'FirehoseUnserializableDataError',
        'FirehosePayloadTooLargeError',
        'FirehoseInvalidStreamNameError',
        'FirehoseUnserializableDataError',
        'FirehoseUnserializableDataError',
      ]);
      expect(await live.done).toEqual(events);
      expect(await storedCount()).toBe(before + 6);
      const rows = await db.query(
        "SELECT m.sequence, m.data FROM firehose_messages m JOIN firehose_channels c ON c.id = m.channel_id WHERE c.name = 'mixed' ORDER BY m.id",
      );
      expect(rows).toEqual([1, 2, 3, 4, 5, 6].map((n) => ({ sequence: String(n), data: good(n) })));
    });

    // Regression test for the batcher's lost wakeup (fixed in 6ba246a): startFlush cleared
    // `inFlight` in a `.finally` that ran a few microtasks after flushLoop's last `queue.length`
    // check, so a broadcast made as soon as the previous one resolved saw `inFlight` still set,
    // scheduled nothing, and hung until shutdown's drain. Plain `await broadcast(); await broadcast();`.
    it('writes a broadcast issued right after the previous one resolved (sequential awaits)', async () => {
      const sequences: number[] = [];
      const sequence = async () => {
        // Plain awaits on purpose. The stranding window is a few microtasks wide and its exact
        // offset depends on promise plumbing, so the gap before the next call sweeps 0..8 hops.
        for (let n = 1; n <= 18; n++) {
          sequences.push((await t.firehose.broadcast('sequential', n)).sequence);
          for (let hop = 0; hop < (n - 1) % 9; hop++) await undefined;
        }
      };
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        // A stranded broadcast waits for shutdown; 18 commits take well under this even on a busy disk.
        timer = setTimeout(
          () => reject(new Error(`broadcast #${sequences.length + 1} still pending after 15 s: the batcher never wrote it`)),
          15_000,
        );
      });
      try {
        await Promise.race([sequence(), deadline]);
      } finally {
        clearTimeout(timer);
      }
      expect(sequences).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    });
  });

  describe('stream()', () => {
    it.each(invalidStreamNames)('throws FirehoseInvalidStreamNameError for %s', (_label, name) => {
      expect(() => t.firehose.stream(name as string)).toThrow(FirehoseInvalidStreamNameError);
      expect(() => t.firehose.stream(['fine', name as string])).toThrow(FirehoseInvalidStreamNameError);
    });

    it('throws FirehoseInvalidStreamNameError for something that is neither a name nor an array, or for no stream at all', () => {
      expect(() => t.firehose.stream({ length: 1, 0: 'a' } as unknown as string[])).toThrow(FirehoseInvalidStreamNameError);
      expect(() => t.firehose.stream([])).toThrow(FirehoseInvalidStreamNameError);
    });

    it.each([-1, 1.5, 'x', Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])(
      'throws FirehoseInvalidCursorError for lastEventId %p',
      (cursor) => {
        expect(() => t.firehose.stream('fine', { lastEventId: cursor as number })).toThrow(FirehoseInvalidCursorError);
      },
    );

    it('accepts lastEventId 0 (replay everything kept)', async () => {
      const first = await t.firehose.broadcast('cursor-zero', 'only');
      const replay = collect(t.firehose.stream('cursor-zero', { lastEventId: 0 }), 1, 5_000);
      expect(await replay.done).toEqual([first]);
    });
  });

  describe('queue()', () => {
    it('throws FirehoseInvalidStreamNameError for an invalid queue name', () => {
      expect(() => t.firehose.queue('')).toThrow(FirehoseInvalidStreamNameError);
      expect(() => t.firehose.queue('q\n')).toThrow(FirehoseInvalidStreamNameError);
    });

    it('rejects an oversized push with FirehosePayloadTooLargeError, counting the NOTIFY envelope', async () => {
      const queue = t.firehose.queue('jobs');
      try {
        // The message alone is over the 7999-byte NOTIFY limit.
        await expect(queue.push('x'.repeat(8000))).rejects.toMatchObject({
          name: 'FirehosePayloadTooLargeError',
          bytes: 8002,
          limit: 7999,
        });
        // The message fits, but not with its envelope: the signature (22 bytes), then
        // `{"q":"jobs","s":<12 characters>,"n":<1 digit>,"t":<13 digits>,"m":…}` (60 bytes).
        const envelope = 22 + 60;
        await expect(queue.push('x'.repeat(7997))).rejects.toMatchObject({
          name: 'FirehosePayloadTooLargeError',
          bytes: 7999 + envelope,
          limit: 7999,
        });
        await expect(queue.push(10n)).rejects.toThrow(FirehoseUnserializableDataError);
        // The queue still works afterwards, and the largest message that fits goes through.
        const fits = 'x'.repeat(7999 - envelope - 2);
        await queue.push(fits);
        await expect(queue.pop({ timeout: 5_000 })).resolves.toBe(fits);
      } finally {
        queue.close();
      }
    });

    it('rejects a pop with a timeout with FirehoseQueueTimeoutError when nothing arrives', async () => {
      const queue = t.firehose.queue('idle');
      try {
        const started = Date.now();
        const pop = queue.pop({ timeout: 100 });
        await expect(pop).rejects.toThrow(FirehoseQueueTimeoutError);
        await expect(pop).rejects.toMatchObject({ queue: 'idle', timeout: 100 });
        expect(Date.now() - started).toBeGreaterThanOrEqual(95);
        // A message pushed after the timeout is not lost to the expired pop.
        await queue.push('late');
        await expect(queue.pop({ timeout: 5_000 })).resolves.toBe('late');
      } finally {
        queue.close();
      }
    });

    it('rejects pop and push after close, and a pending pop at close, with FirehoseQueueClosedError', async () => {
      const queue = t.firehose.queue('closing');
      const pending = queue.pop();
      queue.close();
      await expect(pending).rejects.toThrow(FirehoseQueueClosedError);
      await expect(queue.pop()).rejects.toThrow(FirehoseQueueClosedError);
      await expect(queue.pop({ timeout: 10 })).rejects.toMatchObject({ name: 'FirehoseQueueClosedError', queue: 'closing' });
      await expect(queue.push('too late')).rejects.toThrow(FirehoseQueueClosedError);
    });
  });
});
