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
    await new Promise((r) => setTimeout(r, 50));
    const event = await t.firehose.broadcast('dashboard', 'refresh');
    expect(event).toEqual({ id: expect.any(Number), stream: 'dashboard', data: 'refresh', sequence: 1, streamId: expect.any(Number) });
    const [received] = (await live.done) as FirehoseEvent[];
    expect(received).toEqual(event);
    const rows = await db.query('SELECT id, sequence, data FROM firehose_messages');
    expect(rows).toEqual([{ id: String(event.id), sequence: '1', data: 'refresh' }]);
  });
  it('completes open streams when the app shuts down', async () => {
    const other = await createFirehoseApp({ url: db.url });
    const completed = new Promise<void>((resolve) => other.firehose.stream('dashboard').subscribe({ complete: resolve }));
    await other.close();
    await expect(completed).resolves.toBeUndefined();
  });
});
