import { AllowAllStreamsAuthorizer } from '../../lib/index.js';
import { FirehoseHub } from '../../lib/delivery/firehose-hub.js';
import { createFirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs } from '../utils/ws-client.js';

/** Registrations the hub holds, over every stream: what the server keeps per subscription. */
function registrations(hub: FirehoseHub): number {
  const subscribers = (hub as unknown as { subscribers: Map<string, Set<unknown>> }).subscribers;
  let total = 0;
  for (const set of subscribers.values()) total += set.size;
  return total;
}

describe('WebSocket subscribe / unsubscribe rounds', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('ws_unsubscribe_leak');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('leave the server holding only the streams still subscribed', async () => {
    const t = await createFirehoseHttpApp({ url: db.url, firehose: { authorizer: AllowAllStreamsAuthorizer } });
    const hub = t.app.get(FirehoseHub);
    const client = await openWs(`${t.wsUrl}/firehose`);
    try {
      const base = registrations(hub);
      const rounds = 10;
      for (let round = 0; round < rounds; round++) {
        const streams = Array.from({ length: 50 }, (_, n) => `round-${round}-${n}`);
        client.send({ command: 'subscribe', streams });
        await client.waitForControl('subscribed', round + 1);
        // Keep one stream of each round; drop the other 49.
        client.send({ command: 'unsubscribe', streams: streams.slice(1) });
        await client.waitForControl('unsubscribed', round + 1);
      }
      expect(registrations(hub) - base).toBe(rounds);
      // The streams kept still deliver.
      const event = await t.firehose.broadcast('round-3-0', { kept: true });
      const [frame] = await client.waitForEvents(1);
      expect(frame.id).toBe(event.id);
    } finally {
      client.close();
      await t.close();
    }
  });
});
