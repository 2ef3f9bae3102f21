import { AllowAllStreamsAuthorizer } from '../../lib/index.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs } from '../utils/ws-client.js';

/** Each subscribe with a cursor costs queries: a connection may not send them without bound. */
describe('WebSocket subscribe rate', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;

  beforeAll(async () => {
    db = await createTestDatabase('ws_subscribe_rate');
    t = await createFirehoseHttpApp({ url: db.url, firehose: { authorizer: AllowAllStreamsAuthorizer } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('refuses subscribe commands beyond a burst of 20 and 10 a second, and keeps the connection', async () => {
    const client = await openWs(`${t.wsUrl}/firehose`);
    try {
      for (let n = 0; n < 40; n++) client.send({ command: 'subscribe', streams: [`rate-${n}`], last_event_id: 0 });
      const answers = await client.waitForFrames((frame) => frame.type === 'subscribed' || frame.type === 'error', 40);
      const refused = answers.filter((frame) => frame.type === 'error');
      // The burst, plus what the bucket refilled while the commands were read.
      expect(answers.length - refused.length).toBeGreaterThanOrEqual(20);
      expect(answers.length - refused.length).toBeLessThan(40);
      expect(refused[0]).toEqual({
        type: 'error',
        code: 'too-many-commands',
        message: 'Too many subscribe commands: at most 10 a second (20 at once) per connection; send it again later.',
        streams: [expect.stringMatching(/^rate-\d+$/)],
      });
      // Unsubscribing is never limited, and after a rest subscribing works again.
      client.send({ command: 'unsubscribe', streams: ['rate-0'] });
      await client.waitForControl('unsubscribed');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const before = client.frames.filter((frame) => frame.type === 'subscribed').length;
      client.send({ command: 'subscribe', streams: ['rate-again'] });
      await client.waitForControl('subscribed', before + 1);
      expect(client.isClosed).toBe(false);
    } finally {
      client.close();
    }
  });
});
