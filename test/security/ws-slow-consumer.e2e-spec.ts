import type { WebSocket } from 'ws';
import { AllowAllStreamsAuthorizer } from '../../lib/index.js';
import { FirehoseGateway } from '../../lib/transports/ws/firehose.gateway.js';
import { waitFor } from '../utils/collect.js';
import { createFirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs } from '../utils/ws-client.js';

const CLOSED = 3;

/** A client cut off for not reading must not keep megabytes of unsent frames on the server. */
describe('a WebSocket client that stops reading', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('ws_slow_consumer');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('is dropped within a few seconds of the cut-off, though it never answers the close', async () => {
    const t = await createFirehoseHttpApp({
      url: db.url,
      firehose: { authorizer: AllowAllStreamsAuthorizer, wsMaxBufferedBytes: 256 * 1024 },
    });
    const connections = (t.app.get(FirehoseGateway) as unknown as { connections: Map<WebSocket, unknown> }).connections;
    const stalled = await openWs(`${t.wsUrl}/firehose`);
    try {
      stalled.send({ command: 'subscribe', streams: ['flood'] });
      await stalled.waitForControl('subscribed');
      const [server] = [...connections.keys()];
      // Stops reading at the TCP level and never resumes: no closing handshake will come back.
      (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      const payload = 'x'.repeat(100_000);
      for (let round = 0; round < 60 && server.readyState === 1; round++) {
        await Promise.all(Array.from({ length: 10 }, (_, n) => t.firehose.broadcast('flood', { n, payload })));
      }
      expect(server.readyState).not.toBe(1);
      // ws alone would wait 30 s for the client's close frame, holding what it could not send.
      await waitFor(() => server.readyState === CLOSED, 5_000, 'the server to drop the socket');
      expect(server.bufferedAmount).toBe(0);
      // The cut-off is counted, once, as a drop of the WebSocket transport.
      expect(t.firehose.stats().transports.websocket.dropped).toBe(1);
    } finally {
      stalled.close();
      await t.close();
    }
  }, 60_000);
});
