import { AllowAllDurableStreamsAuthorizer } from '../../lib/index.js';
import { request } from 'node:http';
import { AppendBatcher } from '../../lib/durable-streams/append-batcher.js';
import type { AppendItem } from '../../lib/durable-streams/store/append.store.js';
import { CapturingLogger } from '../utils/capturing-logger.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const MiB = 1024 * 1024;

const append = (url: string, body: Uint8Array | string, type = 'application/octet-stream') =>
  fetch(url, { method: 'POST', headers: { 'content-type': type }, body });

/**
 * A POST on a connection of its own, so no request rides a keep-alive socket that the server is
 * closing for idleness while its event loop is busy with the large bodies.
 */
function postAlone(url: string, body: Uint8Array | string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/octet-stream' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Durable Streams: large appends never fail small ones', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  const logger = new CapturingLogger();
  const url = (name: string) => `${t.baseUrl}/v1/stream/appends/${name}`;

  beforeAll(async () => {
    db = await createTestDatabase('ds_limits_appends');
    t = await createFirehoseHttpApp({ url: db.url, durableStreams: { authorizer: AllowAllDurableStreamsAuthorizer }, logger });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('takes 24 concurrent 16 MiB appends beside small appends to other streams: every small one succeeds, no 500', async () => {
    for (let i = 0; i < 24; i++) expect((await fetch(url(`big-${i}`), { method: 'PUT' })).status).toBe(201);
    for (let i = 0; i < 4; i++) expect((await fetch(url(`small-${i}`), { method: 'PUT' })).status).toBe(201);
    const big = new Uint8Array(16 * MiB).fill(0x61);
    const bigs = Array.from({ length: 24 }, (_, i) => postAlone(url(`big-${i}`), big));
    const smalls = Array.from({ length: 40 }, (_, i) => postAlone(url(`small-${i % 4}`), `m${i};`));
    const [bigStatuses, smallStatuses] = await Promise.all([Promise.all(bigs), Promise.all(smalls)]);
    expect(smallStatuses).toEqual(Array(40).fill(204));
    for (const status of bigStatuses) expect(status === 204 || (status >= 400 && status < 500) || status === 503).toBe(true);
    expect(bigStatuses.filter((status) => status === 204).length).toBe(24);
    const [stored] = await db.query<{ bytes: string }>(
      `SELECT sum(octet_length(m.data))::text AS bytes FROM firehose_ds_messages m JOIN firehose_ds_streams s ON s.id = m.stream_id
       WHERE s.path LIKE '/v1/stream/appends/big-%'`,
    );
    expect(Number(stored.bytes)).toBe(24 * 16 * MiB);
    expect(logger.messages('error')).toEqual([]);
  }, 180_000);

  it("keeps one stream's order when its appends move between the small and the large lane", async () => {
    await fetch(url('mixed'), { method: 'PUT' });
    const batcher = t.app.get(AppendBatcher);
    const item = (data: Buffer): AppendItem => ({
      path: '/v1/stream/appends/mixed',
      data,
      contentType: 'application/octet-stream',
      invalid: null,
      seq: null,
      producerId: null,
      producerEpoch: null,
      producerSeq: null,
      close: false,
    });
    const parts = [Buffer.from('a'), Buffer.alloc(5 * MiB, 0x62), Buffer.from('c'), Buffer.alloc(5 * MiB, 0x64), Buffer.from('e')];
    const outcomes = await Promise.all(parts.map((part) => batcher.append(item(part))));
    expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill('ok'));
    const rows = await db.query<{ first: string; bytes: number }>(
      `SELECT chr(get_byte(m.data, 0)) AS first, octet_length(m.data) AS bytes FROM firehose_ds_messages m
       JOIN firehose_ds_streams s ON s.id = m.stream_id WHERE s.path = '/v1/stream/appends/mixed' ORDER BY m.end_pos`,
    );
    expect(rows.map((row) => row.first).join('')).toBe('abcde');
  });
});

describe('Durable Streams: storage quotas and append rate', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  const logger = new CapturingLogger();
  const url = (name: string) => `${t.baseUrl}/v1/stream/quota/${name}`;

  beforeAll(async () => {
    db = await createTestDatabase('ds_limits_quotas');
    t = await createFirehoseHttpApp({
      url: db.url,
      durableStreams: { authorizer: AllowAllDurableStreamsAuthorizer, maxStreamBytes: 1000, maxTotalBytes: 3000, maxAppendsPerSecond: 5 },
      logger,
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });
  afterEach(() => {
    expect(logger.messages('error')).toEqual([]);
  });

  it('refuses an append past maxStreamBytes with 413, and a PUT whose body alone is past it', async () => {
    await fetch(url('one'), { method: 'PUT' });
    expect((await append(url('one'), 'x'.repeat(600))).status).toBe(204);
    const full = await append(url('one'), 'x'.repeat(600));
    expect(full.status).toBe(413);
    expect(await full.text()).toMatch(/stream is full.*1000 bytes/);
    expect((await append(url('one'), 'x'.repeat(400))).status).toBe(204);
    expect((await append(url('one'), 'x')).status).toBe(413);
    expect((await fetch(`${url('one')}?offset=-1`).then((res) => res.arrayBuffer())).byteLength).toBe(1000);
    expect((await fetch(url('too-big'), { method: 'PUT', body: 'x'.repeat(1001) })).status).toBe(413);
    expect((await fetch(url('too-big'), { method: 'HEAD' })).status).toBe(404);
    expect((await append(url('one'), 'x'.repeat(1001))).status).toBe(413);
  });

  it('counts a fork by its own bytes, not its source', async () => {
    const fork = await fetch(url('fork-of-one'), { method: 'PUT', headers: { 'stream-forked-from': '/v1/stream/quota/one' } });
    expect(fork.status).toBe(201);
    expect((await append(url('fork-of-one'), 'y'.repeat(900))).status).toBe(204);
    expect((await append(url('fork-of-one'), 'y'.repeat(101))).status).toBe(413);
  });

  it('refuses appends and PUT bodies past maxTotalBytes with 507', async () => {
    // 1000 (one) + 900 (its fork) are stored.
    await fetch(url('two'), { method: 'PUT' });
    expect((await append(url('two'), 'z'.repeat(1000))).status).toBe(204);
    await fetch(url('three'), { method: 'PUT' });
    expect((await append(url('three'), 'z'.repeat(100))).status).toBe(204);
    const full = await append(url('three'), 'z');
    expect(full.status).toBe(507);
    expect(await full.text()).toMatch(/storage is full/);
    expect((await fetch(url('four'), { method: 'PUT', body: 'z' })).status).toBe(507);
    // Closing (no bytes) and creating an empty stream still work.
    expect((await fetch(url('four'), { method: 'PUT' })).status).toBe(201);
    expect((await fetch(url('three'), { method: 'POST', headers: { 'stream-closed': 'true' } })).status).toBe(204);
  });

  it('refuses a burst past maxAppendsPerSecond on one stream with 429 and Retry-After, other streams unaffected', async () => {
    await fetch(url('rate'), { method: 'PUT', headers: { 'stream-closed': 'true' } });
    await fetch(url('rate-other'), { method: 'PUT', headers: { 'stream-closed': 'true' } });
    const close = (name: string) => fetch(url(name), { method: 'POST', headers: { 'stream-closed': 'true' } });
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 8; i++) {
      const res = await close('rate');
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    expect(statuses.slice(0, 5)).toEqual([204, 204, 204, 204, 204]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited!.text()).toMatch(/appends a second/);
    expect((await close('rate-other')).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await close('rate')).status).toBe(204);
  });
});
