import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { collectLive } from '../utils/collect.js';
import type { FirehoseEvent } from '../../lib/index.js';

describe('broadcast', () => {
  let db: TestDatabase;
  let t: FirehoseTestApp;

  beforeAll(async () => {
    db = await createTestDatabase('broadcast');
    t = await createFirehoseApp({ url: db.url });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('persists an event and delivers it live', async () => {
    const live = await collectLive(t.firehose, 'dashboard', 1);
    const event = await t.firehose.broadcast('dashboard', 'refresh');
    expect(event).toEqual({ id: expect.any(Number), stream: 'dashboard', data: 'refresh', sequence: 1, streamId: expect.any(Number) });
    const [received] = (await live.done) as FirehoseEvent[];
    expect(received).toEqual(event);
    const rows = await db.query('SELECT id, sequence, data FROM firehose_messages');
    expect(rows).toEqual([{ id: String(event.id), sequence: '1', data: 'refresh' }]);
  });
  it('completes open streams when the app shuts down', async () => {
    const other = await createFirehoseApp({ url: db.url });
    let outcome = 'open';
    const subscription = other.firehose.stream('dashboard').subscribe({
      complete: () => (outcome = 'completed'),
      error: (error: Error) => (outcome = `failed: ${error.message}`),
    });
    expect(outcome).toBe('open');
    await other.close();
    // By the time close() resolves, not at some later point (and not with an error).
    expect(outcome).toBe('completed');
    expect(subscription.closed).toBe(true);
  });
});
