import { FirehoseModule, FirehoseQueueClosedError } from '../../lib/index.js';
import { CapturingLogger } from '../utils/capturing-logger.js';
import { waitFor } from '../utils/collect.js';
import { createFirehoseAppFromModule } from '../utils/create-firehose-app-from-module.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

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
