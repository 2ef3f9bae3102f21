import { AllowAllDurableStreamsAuthorizer } from '../../lib/index.js';
import { waitFor } from '../utils/collect.js';
import type { FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs } from '../utils/ws-client.js';
import { createFluxbaseApp, signer } from '../fluxbase/fluxbase-fixtures.js';

/** The feature modules' connections are the process's too: the stats count them beside WebSocket and SSE. */
describe('feature modules in the stats', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;

  beforeAll(async () => {
    db = await createTestDatabase('feature_connections');
    t = await createFluxbaseApp(db.url, { durableStreams: { authorizer: AllowAllDurableStreamsAuthorizer, longPollTimeout: 5000 } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const connections = () => t.firehose.stats().connections as Record<string, number>;

  it('counts open Durable Streams long-polls and Fluxbase sockets while they are open', async () => {
    expect(connections()).toMatchObject({ durableStreams: 0, fluxbase: 0 });

    const url = `${t.baseUrl}/v1/stream/counted`;
    expect((await fetch(url, { method: 'PUT' })).status).toBe(201);
    const poll = fetch(`${url}?offset=0000000000000000_0000000000000000&live=long-poll`);
    const token = await signer.signAsync({ sub: 'ann' });
    const socket = await openWs(`${t.wsUrl}/realtime?token=${token}`);
    await waitFor(() => connections().durableStreams === 1 && connections().fluxbase === 1, 5000, 'both counted');

    await fetch(url, { method: 'POST', body: 'x', headers: { 'content-type': 'application/octet-stream' } });
    await poll;
    socket.close();
    await waitFor(() => connections().durableStreams === 0 && connections().fluxbase === 0, 5000, 'both released');
  });
});
