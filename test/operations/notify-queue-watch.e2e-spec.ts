import pg from 'pg';
import { FirehoseHealthIndicator, FirehoseOperationsModule } from '../../lib/index.js';
import { CapturingLogger } from '../utils/capturing-logger.js';
import { sleep, waitFor } from '../utils/collect.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/**
 * The NOTIFY queue is the whole cluster's (8 GB by default), so a test cannot fill half of it. It
 * can hold some of it: a session that LISTENs and then sits in a transaction takes no
 * notification until the transaction ends, and the queue keeps everything sent after its LISTEN.
 * A few MB of notifications then cross a tiny threshold.
 */
const THRESHOLD = 0.0001;

describe('NOTIFY queue watch', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  const logger = new CapturingLogger();
  let holder: pg.Client;
  let sender: pg.Client;

  const queueWarnings = () => logger.messages('warn').filter((m) => m.includes('NOTIFY queue'));
  const queueRecoveries = () => logger.messages('log').filter((m) => m.includes('NOTIFY queue is back'));
  // Distinct payloads: PostgreSQL folds identical notifications of one transaction into one.
  const fill = (count: number) =>
    sender.query(`SELECT pg_notify('ops_queue_fill', i || repeat('x', 7000)) FROM generate_series(1, $1) i`, [count]);

  beforeAll(async () => {
    db = await createTestDatabase('ops_queue_watch');
    t = await createFirehoseHttpApp({
      url: db.url,
      logger,
      imports: [FirehoseOperationsModule.forRoot({ queueWatchInterval: 100, queueWarnThreshold: THRESHOLD })],
    });
    holder = new pg.Client({ connectionString: db.url });
    sender = new pg.Client({ connectionString: db.url });
    await Promise.all([holder.connect(), sender.connect()]);
  });
  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    await sender?.end().catch(() => undefined);
    await t?.close();
    await db?.drop();
  });

  it('reads the usage into the stats, warns once per crossing with what to do, and says when it is back', async () => {
    await waitFor(() => t.firehose.stats().notifyQueue !== null, 5000, 'a first reading');
    expect(t.firehose.stats().notifyQueue).toMatchObject({ threshold: THRESHOLD });

    await holder.query('LISTEN ops_queue_fill');
    await holder.query('BEGIN');
    await holder.query('SELECT 1');
    await fill(600);

    await waitFor(() => queueWarnings().length > 0, 5000, 'the warning');
    const [warning] = queueWarnings();
    expect(warning).toMatch(/NOTIFY queue is [\d.e-]+% full, above queueWarnThreshold \(0\.01%\)/);
    expect(warning).toContain('pg_stat_activity');
    expect(warning).toContain('max_notification_queue_size');
    const reading = t.firehose.stats().notifyQueue!;
    expect(reading.aboveThreshold).toBe(true);
    expect(reading.usage).toBeGreaterThan(THRESHOLD);

    // Above the threshold: degraded (still 200, the queue is the cluster's), and the indicator is down.
    const response = await fetch(`${t.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'degraded', notifyQueue: { aboveThreshold: true } });
    expect(t.app.get(FirehoseHealthIndicator).isHealthy().firehose).toMatchObject({ status: 'down' });

    // More polls while it stays above: no second warning.
    await fill(50);
    await sleep(500);
    expect(queueWarnings()).toHaveLength(1);

    // The session ends its transaction, reads, and the queue drains; notifications sent since move the tail on.
    await holder.query('COMMIT');
    await waitFor(
      async () => {
        await fill(1);
        return queueRecoveries().length > 0;
      },
      10_000,
      'the queue to fall back below the threshold',
    );
    expect(t.firehose.stats().notifyQueue!.aboveThreshold).toBe(false);
    expect(t.app.get(FirehoseHealthIndicator).isHealthy().firehose.status).toBe('up');
    expect(queueWarnings()).toHaveLength(1);
  });
});
