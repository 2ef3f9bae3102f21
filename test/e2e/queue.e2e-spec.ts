import { startChildApp, type ChildApp } from '../utils/child-app.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { sleep } from '../utils/collect.js';
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
    const [{ count }] = await db.query("SELECT count(*)::int AS count FROM firehose_messages");
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
    const started = Date.now();
    await expect(t.firehose.queue('silent').pop({ timeout: 150 })).rejects.toMatchObject({ name: 'FirehoseQueueTimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await sleep(10);
  });
});
