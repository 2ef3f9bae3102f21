import { ExpiredStreamsSweeper } from '../../lib/durable-streams/expired-streams.sweeper.js';
import { AllowAllDurableStreamsAuthorizer } from '../../lib/index.js';
import { waitFor, within } from '../utils/collect.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { startDurableStreamsChild as startChild } from '../utils/durable-streams-child.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

interface Snapshot {
  status: number;
  body: string;
  offset: string | null;
  closed: string | null;
}

async function snapshot(url: string): Promise<Snapshot> {
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer()).toString('base64');
  return { status: res.status, body, offset: res.headers.get('stream-next-offset'), closed: res.headers.get('stream-closed') };
}

describe('Durable Streams: durability, bad input, several processes', () => {
  let db: TestDatabase;
  let app: FirehoseHttpApp | undefined;
  // The child app (JSON options, so no class) allows every request by default.
  const durableStreams = { longPollTimeout: 20_000, maxAppendBytes: 4096, authorizer: AllowAllDurableStreamsAuthorizer };

  beforeAll(async () => {
    db = await createTestDatabase('ds_durability');
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('keeps bytes and offsets across an app restart', async () => {
    app = await createFirehoseHttpApp({ url: db.url, durableStreams });
    const url = (base: string) => `${base}/v1/stream/restart`;
    await fetch(url(app.baseUrl), { method: 'PUT', headers: { 'content-type': 'application/octet-stream' } });
    const offsets: string[] = [];
    for (const bytes of [
      [0, 1, 2],
      [255, 254],
      [10, 13, 10],
    ]) {
      const res = await fetch(url(app.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: new Uint8Array(bytes),
      });
      expect(res.status).toBe(204);
      offsets.push(res.headers.get('stream-next-offset')!);
    }
    const before = await snapshot(url(app.baseUrl));
    const middle = await snapshot(`${url(app.baseUrl)}?offset=${offsets[0]}`);
    await app.close();

    app = await createFirehoseHttpApp({ url: db.url, durableStreams });
    expect(await snapshot(url(app.baseUrl))).toEqual(before);
    expect(await snapshot(`${url(app.baseUrl)}?offset=${offsets[0]}`)).toEqual(middle);
    expect(before.body).toBe(Buffer.from([0, 1, 2, 255, 254, 10, 13, 10]).toString('base64'));
    expect(before.offset).toBe(offsets[2]);
    const next = await fetch(url(app.baseUrl), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: 'x' });
    expect(next.headers.get('stream-next-offset')! > offsets[2]).toBe(true);
  });

  it('leaves a stream byte for byte as it was after every rejected request', async () => {
    app = await createFirehoseHttpApp({ url: db.url, durableStreams });
    const json = `${app.baseUrl}/v1/stream/bad-input-json`;
    const text = `${app.baseUrl}/v1/stream/bad-input-text`;
    await fetch(json, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '[{"a":1}]' });
    await fetch(text, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    const producer = (id: string, epoch: number, seq: number) => ({
      'producer-id': id,
      'producer-epoch': String(epoch),
      'producer-seq': String(seq),
    });
    const post = (url: string, headers: Record<string, string>, body?: string) => fetch(url, { method: 'POST', headers, body });
    // Accepted setup: producer p at epoch 1 seq 0, Stream-Seq "5".
    expect((await post(json, { 'content-type': 'application/json', ...producer('p', 1, 0) }, '{"b":2}')).status).toBe(200);
    expect((await post(text, { 'content-type': 'text/plain', 'stream-seq': '5' }, ' world')).status).toBe(204);
    const jsonBefore = await snapshot(json);
    const textBefore = await snapshot(text);

    const rejected: Array<[string, Promise<Response>, number]> = [
      ['invalid JSON', post(json, { 'content-type': 'application/json' }, '{"a":'), 400],
      ['empty JSON array', post(json, { 'content-type': 'application/json' }, '[]'), 400],
      ['invalid JSON from a producer', post(json, { 'content-type': 'application/json', ...producer('p', 1, 1) }, 'nope'), 400],
      ['wrong content type', post(json, { 'content-type': 'text/plain' }, 'x'), 409],
      // fetch adds text/plain to a string body, not to bytes.
      ['no content type', fetch(text, { method: 'POST', body: new Uint8Array([120]) }), 400],
      ['empty body', post(text, { 'content-type': 'text/plain' }, ''), 400],
      ['Stream-Seq regression', post(text, { 'content-type': 'text/plain', 'stream-seq': '4' }, 'x'), 409],
      ['stale producer epoch', post(json, { 'content-type': 'application/json', ...producer('p', 0, 1) }, '{"c":3}'), 403],
      ['producer sequence gap', post(json, { 'content-type': 'application/json', ...producer('p', 1, 5) }, '{"c":3}'), 409],
      ['new epoch not at seq 0', post(json, { 'content-type': 'application/json', ...producer('p', 2, 1) }, '{"c":3}'), 400],
      ['partial producer headers', post(json, { 'content-type': 'application/json', 'producer-id': 'p' }, '{"c":3}'), 400],
      [
        'non-integer producer seq',
        post(json, { 'content-type': 'application/json', ...producer('p', 1, 1), 'producer-seq': '1e3' }, '{"c":3}'),
        400,
      ],
      ['body over maxAppendBytes', post(text, { 'content-type': 'text/plain' }, 'x'.repeat(5000)), 413],
      ['PUT with another config', fetch(text, { method: 'PUT', headers: { 'content-type': 'application/json' } }), 409],
      ['bad offset', fetch(`${text}?offset=../x`), 400],
      ['producer duplicate', post(json, { 'content-type': 'application/json', ...producer('p', 1, 0) }, '{"other":1}'), 204],
    ];
    for (const [label, response, status] of rejected) {
      expect([label, (await response).status]).toEqual([label, status]);
    }
    expect(await snapshot(json)).toEqual(jsonBefore);
    expect(await snapshot(text)).toEqual(textBefore);
    // The rejected invalid-JSON request did not advance the producer: seq 1 is still the next one.
    expect((await post(json, { 'content-type': 'application/json', ...producer('p', 1, 1) }, '{"c":3}')).status).toBe(200);
    expect(JSON.parse(Buffer.from((await snapshot(json)).body, 'base64').toString())).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('shuts down promptly with live SSE and long-poll readers, without forceCloseConnections', async () => {
    const local = await createFirehoseHttpApp({ url: db.url, durableStreams, forceCloseConnections: false });
    const url = `${local.baseUrl}/v1/stream/shutdown`;
    const tail = (await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' } })).headers.get('stream-next-offset')!;
    let polling = false;
    local.app.getHttpServer().on('request', (request: { url?: string }) => {
      if (request.url?.includes('live=long-poll')) polling = true;
    });
    const sse = await fetch(`${url}?offset=-1&live=sse`);
    const reading = sse.text().catch(() => 'aborted');
    const poll = fetch(`${url}?offset=${tail}&live=long-poll`).then(
      (r) => r.status,
      () => 'aborted',
    );
    await waitFor(() => polling, 5000, 'the long-poll to reach the server');
    // The long-poll would hold the server for 20 s and the SSE response for good: close() must not wait for them.
    const closing = local.close();
    try {
      await within(closing, 10_000, 'app.close() with a long-poll and an SSE reader open');
    } finally {
      local.app.getHttpServer().closeAllConnections();
      await closing;
    }
    await within(reading, 5000, 'the end of the SSE response');
    expect([204, 'aborted']).toContain(await poll);
  });

  it('deletes expired streams nobody touches again (sweeper), keeping live ones', async () => {
    app = await createFirehoseHttpApp({ url: db.url, durableStreams });
    await fetch(`${app.baseUrl}/v1/stream/sweep-ttl`, { method: 'PUT', headers: { 'stream-ttl': '1' }, body: new Uint8Array([1]) });
    await fetch(`${app.baseUrl}/v1/stream/sweep-keep`, { method: 'PUT', headers: { 'stream-ttl': '3600' } });
    // Expired by the database's clock, which is the one the sweeper compares with.
    await waitFor(
      async () =>
        (
          await db.query(
            `SELECT 1 FROM firehose_ds_streams WHERE path = '/v1/stream/sweep-ttl' AND now() >= accessed_at + ttl_seconds * interval '1 second'`,
          )
        ).length > 0,
      10_000,
      'the TTL to pass',
    );
    expect(await app.app.get(ExpiredStreamsSweeper).sweep()).toBeGreaterThanOrEqual(1);
    const left = await db.query("SELECT path FROM firehose_ds_streams WHERE path LIKE '/v1/stream/sweep-%'");
    expect(left.map((r) => r.path)).toEqual(['/v1/stream/sweep-keep']);
    expect(
      await db.query('SELECT 1 FROM firehose_ds_messages m LEFT JOIN firehose_ds_streams s ON s.id = m.stream_id WHERE s.id IS NULL'),
    ).toEqual([]);
  });

  it('serves the same streams from two processes; an append on one wakes a long-poll on the other at once', async () => {
    app = await createFirehoseHttpApp({ url: db.url, durableStreams });
    const child = await startChild(db.url, durableStreams);
    try {
      const here = `${app.baseUrl}/v1/stream/two-processes`;
      const there = `${child.baseUrl}/v1/stream/two-processes`;
      const created = await fetch(here, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'a' });
      const tail = created.headers.get('stream-next-offset')!;
      expect((await fetch(there, { method: 'HEAD' })).headers.get('stream-next-offset')).toBe(tail);

      // The long-poll timeout is 20 s: only the NOTIFY through the child's shared listener can end it early.
      let answered = false;
      const poll = fetch(`${there}?offset=${tail}&live=long-poll`).finally(() => (answered = true));
      await waitFor(() => child.received.some((r) => r.includes('live=long-poll')), 5000, 'the long-poll to reach the child');
      // A request the child answers after it: by then the long-poll has found nothing and waits.
      expect((await fetch(there, { method: 'HEAD' })).headers.get('stream-next-offset')).toBe(tail);
      expect(answered).toBe(false);
      await fetch(here, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'b' });
      // Well before the 20 s timeout, which would answer 204 with no body.
      const res = await within(poll, 10_000, 'the long-poll to be woken');
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('b');

      // Concurrent appends through both processes: nothing lost, nothing doubled, offsets in order.
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          fetch(i % 2 ? here : there, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `[${i}]` }).then((r) => {
            expect(r.status).toBe(204);
          }),
        ),
      );
      const all = await (await fetch(there)).text();
      const numbers = [...all.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])).sort((x, y) => x - y);
      expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect(await (await fetch(here)).text()).toBe(all);
    } finally {
      await child.stop();
    }
  });
});
