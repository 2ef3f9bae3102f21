import { startDurableStreamsChild, type DurableStreamsChild } from '../utils/durable-streams-child.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

// @nestjs/throttler is CommonJS requiring Nest's ESM-only packages, which Jest's module runtime
// cannot load on this Node: the app runs in a plain Node child (built library), as in production.
const LIMIT = 3;

/** Sends LIMIT + 1 requests of the kinds a client might hammer with; returns their statuses. */
async function hammer(base: string): Promise<number[]> {
  const statuses: number[] = [];
  const requests: Array<[string, RequestInit]> = [
    [`${base}/limited`, { method: 'PUT', headers: { 'content-type': 'text/plain' } }],
    [`${base}/limited`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }],
    [`${base}/limited?offset=-1`, {}],
    [`${base}/limited`, { method: 'HEAD' }],
  ];
  for (const [url, init] of requests) statuses.push((await fetch(url, init)).status);
  return statuses;
}

describe("@nestjs/throttler's ThrottlerGuard on Durable Streams routes", () => {
  let db: TestDatabase;
  let child: DurableStreamsChild | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('ds_sec_throttler');
  });
  afterEach(async () => {
    await child?.stop();
    child = undefined;
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('as a module guard (guards + imports): 429 with Retry-After once the limit is spent', async () => {
    child = await startDurableStreamsChild(db.url, {}, { throttle: { limit: LIMIT } });
    const base = `${child.baseUrl}/v1/stream`;
    expect(await hammer(base)).toEqual([201, 204, 200, 429]);
    const refused = await fetch(`${base}/limited?offset=-1`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Nothing past the limit reached the stream.
    expect((await fetch(`${base}/limited`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'y' })).status).toBe(429);
  });

  it('as a global APP_GUARD: 429 once the limit is spent', async () => {
    child = await startDurableStreamsChild(db.url, {}, { throttle: { limit: LIMIT, global: true } });
    const base = `${child.baseUrl}/v1/stream`;
    // The stream exists from the first app: a PUT of the same configuration answers 200.
    expect(await hammer(base)).toEqual([200, 204, 200, 429]);
  });
});
