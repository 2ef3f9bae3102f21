import { AllowAllStreamsAuthorizer } from '../../lib/index.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs, refusedUpgrade } from '../utils/ws-client.js';

const REFUSED = (origin: string) => ({
  status: 403,
  body: `Origin ${origin} may not open this WebSocket: it is not the app's own origin, nor in allowedOrigins.`,
});

/** Cross-site WebSocket hijacking: a page of another site must not ride the user's cookies. */
describe('WebSocket origin check', () => {
  let db: TestDatabase;
  let open: FirehoseHttpApp;
  let fenced: FirehoseHttpApp;

  beforeAll(async () => {
    db = await createTestDatabase('ws_origin');
    open = await createFirehoseHttpApp({ url: db.url, firehose: { authorizer: AllowAllStreamsAuthorizer } });
    fenced = await createFirehoseHttpApp({
      url: db.url,
      firehose: { authorizer: AllowAllStreamsAuthorizer, allowedOrigins: ['https://app.example'] },
    });
  });
  afterAll(async () => {
    await open?.close();
    await fenced?.close();
    await db?.drop();
  });

  async function accepted(url: string, origin?: string): Promise<boolean> {
    const client = await openWs(url, origin === undefined ? {} : { origin });
    client.close();
    return true;
  }

  it('refuses a page of another site by default, before any guard', async () => {
    expect(await refusedUpgrade(`${open.wsUrl}/firehose`, { origin: 'https://evil.example' })).toEqual(REFUSED('https://evil.example'));
    // A sandboxed page sends the opaque origin "null".
    expect(await refusedUpgrade(`${open.wsUrl}/firehose`, { origin: 'null' })).toEqual(REFUSED('null'));
  });

  it("accepts the app's own origin, and clients that send no Origin (not a browser page)", async () => {
    const own = open.baseUrl; // http://127.0.0.1:<port>, the Host the upgrade is sent to
    expect(await accepted(`${open.wsUrl}/firehose`, own)).toBe(true);
    expect(await accepted(`${open.wsUrl}/firehose`)).toBe(true);
  });

  it('widens to allowedOrigins, which no longer refuses clients without an Origin', async () => {
    expect(await accepted(`${fenced.wsUrl}/firehose`, 'https://app.example')).toBe(true);
    expect(await accepted(`${fenced.wsUrl}/firehose`, fenced.baseUrl)).toBe(true);
    expect(await accepted(`${fenced.wsUrl}/firehose`)).toBe(true);
    expect(await refusedUpgrade(`${fenced.wsUrl}/firehose`, { origin: 'https://evil.example' })).toEqual(REFUSED('https://evil.example'));
  });
});
