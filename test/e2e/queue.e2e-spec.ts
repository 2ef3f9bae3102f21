import { startChildApp, type ChildApp } from '../utils/child-app.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { waitFor } from '../utils/collect.js';
import { CapturingLogger } from '../utils/capturing-logger.js';
import { createFirehoseAppFromModule } from '../utils/create-firehose-app-from-module.js';
import { FirehoseModule, FirehoseQueueClosedError } from '../../lib/index.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

describe('queue across processes', () => {
  let db: TestDatabase;
  let t: FirehoseTestApp;
  let child: ChildApp;

  beforeAll(async () => {
    db = await createTestDatabase('queue');
    t = await createFirehoseApp({ url: db.url });
    child = await startChildApp(db.url);
  });
  afterAll(async () => {
    await child?.close();
    await t?.close();
    await db?.drop();
  });

  it('a message pushed in one process is popped in the other, in push order', async () => {
    await child.call('open', { name: 'jobs' });
    const popped = child.call<{ messages: unknown[] }>('pop', { name: 'jobs', count: 3, timeout: 5_000 });
    const queue = t.firehose.queue('jobs');
    await queue.push('first');
    await queue.push({ second: true });
    await queue.push(3);
    expect((await popped).messages).toEqual(['first', { second: true }, 3]);
    queue.close();
  });

  it('a pop in this process receives what the other process pushes, and nothing is stored', async () => {
    const queue = t.firehose.queue<string>('replies');
    const waiting = queue.pop({ timeout: 5_000 });
    await child.call('push', { name: 'replies', messages: ['pong'] });
    await expect(waiting).resolves.toBe('pong');
    queue.close();
    const [{ count }] = await db.query('SELECT count(*)::int AS count FROM firehose_messages');
    expect(count).toBe(0);
  });

  it('every process with an open handle receives every message (fan-out, not a work queue)', async () => {
    await child.call('open', { name: 'fanout' });
    const local = t.firehose.queue('fanout');
    const remote = child.call<{ messages: unknown[] }>('pop', { name: 'fanout', count: 2, timeout: 5_000 });
    await local.push('a');
    await local.push('b');
    expect(await local.pop({ timeout: 5_000 })).toBe('a');
    expect(await local.pop({ timeout: 5_000 })).toBe('b');
    expect((await remote).messages).toEqual(['a', 'b']);
    local.close();
  });

  it('a pop that waits too long rejects with FirehoseQueueTimeoutError, across processes too', async () => {
    await child.call('open', { name: 'silent' });
    await expect(child.call('pop', { name: 'silent', count: 1, timeout: 100 })).rejects.toThrow(
      'FirehoseQueueTimeoutError: No message arrived on queue "silent" within 100 ms.',
    );
    const silent = t.firehose.queue('silent');
    const started = Date.now();
    await expect(silent.pop({ timeout: 150 })).rejects.toMatchObject({ name: 'FirehoseQueueTimeoutError' });
    // Not before its timeout (a lower bound only: how late it may be is no claim of this test).
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    silent.close();
  });
});

describe('queue limits', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('queue_limits');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('drops the oldest message with a warning when a handle holds queueBufferSize, keeping the newest in order', async () => {
    const logger = new CapturingLogger();
    const t = await createFirehoseAppFromModule({ url: db.url, firehoseModule: FirehoseModule.forRoot({ queueBufferSize: 3 }), logger });
    try {
      const queue = t.firehose.queue<number>('overflow');
      for (let n = 1; n <= 5; n++) await queue.push(n);
      await waitFor(() => logger.messages('warn').filter((m) => /overflow/.test(m)).length >= 2, 10_000, 'two overflow warnings');
      expect(await queue.pop({ timeout: 5000 })).toBe(3);
      expect(await queue.pop({ timeout: 5000 })).toBe(4);
      expect(await queue.pop({ timeout: 5000 })).toBe(5);
      const warnings = logger.messages('warn').filter((m) => /overflow/.test(m));
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(/queueBufferSize|oldest/i);
      queue.close();
    } finally {
      await t.close();
    }
  });

  it('rejects a pop still waiting when the app shuts down', async () => {
    const t = await createFirehoseAppFromModule({ url: db.url, firehoseModule: FirehoseModule.forRoot({}) });
    const queue = t.firehose.queue('shutdown');
    const pending = queue.pop();
    const outcome = pending.then(
      () => 'resolved',
      (error: Error) => error,
    );
    await t.close();
    const error = await outcome;
    expect(error).toBeInstanceOf(FirehoseQueueClosedError);
  });
});
