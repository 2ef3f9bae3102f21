import { AllowAllStreamsAuthorizer } from '../../lib/index.js';
import { createFirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/** The browser client's script, served by the module unless `serveClient: false`. */
describe('client script route', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('client_asset');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each([
    [undefined, 200],
    [true, 200],
    [false, 404],
  ])('serveClient %p: GET {path}/client.js answers %p', async (serveClient, status) => {
    const t = await createFirehoseHttpApp({ url: db.url, firehose: { authorizer: AllowAllStreamsAuthorizer, path: '/live', serveClient } });
    try {
      const response = await fetch(`${t.baseUrl}/live/client.js`);
      expect(response.status).toBe(status);
      if (status === 200) expect(response.headers.get('content-type')).toMatch(/javascript/);
      // The transports are there either way.
      const sse = await fetch(`${t.baseUrl}/live/sse?streams=a`);
      expect(sse.status).toBe(200);
      await sse.body?.cancel();
    } finally {
      await t.close();
    }
  });
});
