import { DurableStream, IdempotentProducer } from '@durable-streams/client';
import { waitFor } from '../utils/collect.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

// The official client, unchanged, against the module's Durable Streams in a Nest app (Express,
// with its JSON body parser in place: the handler must see the raw bytes anyway).
describe('Durable Streams with @durable-streams/client', () => {
  let db: TestDatabase;
  let app: FirehoseHttpApp;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase('ds_client');
    app = await createFirehoseHttpApp({ url: db.url, durableStreams: { longPollTimeout: 1000 } });
    base = `${app.baseUrl}/v1/stream`;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('creates a JSON stream, appends and reads it back from the start', async () => {
    const handle = await DurableStream.create({ url: `${base}/client-json`, contentType: 'application/json' });
    await handle.append(JSON.stringify({ n: 1 }));
    await handle.append(JSON.stringify([{ n: 2 }, { n: 3 }]));
    const res = await handle.stream<{ n: number }>({ live: false });
    // The client sends each append as a one-element batch, so an appended array stays one message.
    expect(await res.json()).toEqual([{ n: 1 }, [{ n: 2 }, { n: 3 }]]);
    expect(res.upToDate).toBe(true);
  });

  it('reads on from an offset it was given, without the bytes before it', async () => {
    const handle = await DurableStream.create({ url: `${base}/client-offset`, contentType: 'text/plain' });
    await handle.append('first ');
    const head = await handle.head();
    await handle.append('second');
    const offset = head.exists ? head.offset : undefined;
    const res = await handle.stream({ live: false, offset });
    expect(await res.text()).toBe('second');
  });

  it('follows a JSON stream live over SSE', async () => {
    const handle = await DurableStream.create({ url: `${base}/client-sse`, contentType: 'application/json' });
    await handle.append(JSON.stringify({ at: 'before' }));
    const res = await handle.stream<{ at: string }>({ live: 'sse' });
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      res.subscribeJson((batch) => {
        for (const item of batch.items) seen.push(item.at);
        if (seen.includes('after')) resolve();
      });
    });
    // Caught up on what was there: what follows is live.
    await waitFor(() => seen.includes('before'), 10_000, 'the existing item');
    await handle.append(JSON.stringify({ at: 'after' }));
    await done;
    res.cancel();
    expect(seen).toEqual(['before', 'after']);
  });

  it('follows a byte stream live by long-poll, until it is closed', async () => {
    const handle = await DurableStream.create({ url: `${base}/client-long-poll`, contentType: 'application/octet-stream' });
    await handle.append(new Uint8Array([1, 2]));
    const res = await handle.stream({ live: 'long-poll' });
    const received: number[] = [];
    const closedChunk = new Promise<void>((resolve) => {
      res.subscribeBytes((chunk) => {
        received.push(...chunk.data);
        if (chunk.streamClosed) resolve();
      });
    });
    await waitFor(() => received.length >= 2, 10_000, 'the existing bytes');
    await handle.append(new Uint8Array([3]));
    await handle.close({ body: new Uint8Array([4]) });
    await closedChunk;
    expect(received).toEqual([1, 2, 3, 4]);
    expect(res.streamClosed).toBe(true);
  });

  it('an idempotent producer whose response is lost retries, and the message lands exactly once', async () => {
    const url = `${base}/client-producer`;
    const handle = await DurableStream.create({ url, contentType: 'text/plain' });
    let lost = 0;
    // The first POST reaches the server and commits, but its answer never comes back: the
    // client sees a network error and sends the same (producer, epoch, seq) again.
    const losingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if ((init?.method ?? 'GET') === 'POST' && lost === 0) {
        lost++;
        throw new TypeError('fetch failed (simulated lost response)');
      }
      return response;
    };
    const producer = new IdempotentProducer(handle, 'writer-1', { fetch: losingFetch, lingerMs: 0 });
    producer.append('once;');
    await producer.flush();
    producer.append('twice;');
    await producer.flush();
    await producer.detach();
    expect(lost).toBe(1);
    const res = await handle.stream({ live: false });
    expect(await res.text()).toBe('once;twice;');
  });
});
