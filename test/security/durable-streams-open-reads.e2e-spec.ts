import { AllowAllDurableStreamsAuthorizer } from '../../lib/index.js';
import { waitFor } from '../utils/collect.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const MAX_OPEN_READS = 2;

describe('Durable Streams maxOpenReads: a cap on the long-polls and SSE reads one process holds open', () => {
  let db: TestDatabase;
  let app: FirehoseHttpApp;
  let stream: string;
  const aborts: AbortController[] = [];

  /** Starts a live read and resolves once its response headers are in (a long-poll: once it answers). */
  const live = (mode: 'long-poll' | 'sse') => {
    const abort = new AbortController();
    aborts.push(abort);
    return fetch(`${stream}?offset=now&live=${mode}`, { signal: abort.signal });
  };
  beforeAll(async () => {
    db = await createTestDatabase('ds_sec_open_reads');
    app = await createFirehoseHttpApp({
      url: db.url,
      durableStreams: { authorizer: AllowAllDurableStreamsAuthorizer, maxOpenReads: MAX_OPEN_READS, longPollTimeout: 10_000 },
      logger: ['error'],
    });
    stream = `${app.baseUrl}/v1/stream/capped`;
    await fetch(stream, { method: 'PUT', headers: { 'content-type': 'text/plain' } });
  });
  afterEach(() => {
    for (const abort of aborts.splice(0)) abort.abort();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers 503 with Retry-After and a reason beyond the cap; catch-up reads and writes go on; a slot frees when a read ends', async () => {
    // An SSE response is open once its headers are in; a long-poll gives no sign that it waits,
    // so it is given a moment to reach its wait.
    expect((await live('sse')).status).toBe(200);
    const poll = live('long-poll');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const refused = await live('long-poll');
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toMatch(/Too many live reads/);
    expect((await live('sse')).status).toBe(503);
    expect((await fetch(`${stream}?offset=-1`)).status).toBe(200);
    const append = await fetch(stream, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'wake' });
    expect(append.status).toBe(204);
    // The append answers the long-poll, which frees its slot.
    expect(await (await poll).text()).toBe('wake');
    expect((await live('sse')).status).toBe(200);
  });

  it('frees the slot of a reader that went away', async () => {
    await waitFor(async () => (await live('sse')).status === 200, 5000, 'the slots of the readers of the last test');
    expect((await live('sse')).status).toBe(200);
    expect((await live('sse')).status).toBe(503);
    aborts[0].abort();
    await waitFor(async () => (await live('sse')).status === 200, 5000, 'the slot of the SSE reader that went away');
  });
});
