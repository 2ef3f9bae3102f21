import { DurableStream, IdempotentProducer } from '@durable-streams/client';
import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { AllowAllDurableStreamsAuthorizer } from '../../lib/index.js';
import { waitFor } from '../utils/collect.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const TOKEN = 'ds-client-token';

/** The app's own guard, as a real app would have: every request needs the bearer token. */
@Injectable()
class TokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    if (request.headers.authorization !== `Bearer ${TOKEN}`) throw new UnauthorizedException('A bearer token is required');
    return true;
  }
}

/** What the client sends with every request it makes for a handle. */
const headers = { Authorization: `Bearer ${TOKEN}` };

// The official client, unchanged, against the module's Durable Streams in a Nest app (Express,
// with its JSON body parser in place: the handler must see the raw bytes anyway), through the
// app's token guard: the client sends the token on every request, long-polls and SSE included.
describe('Durable Streams with @durable-streams/client', () => {
  let db: TestDatabase;
  let app: FirehoseHttpApp;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase('ds_client');
    app = await createFirehoseHttpApp({
      url: db.url,
      durableStreams: { longPollTimeout: 1000, guards: [TokenGuard], authorizer: AllowAllDurableStreamsAuthorizer },
    });
    base = `${app.baseUrl}/v1/stream`;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('is refused without the token the app guard asks for', async () => {
    await expect(DurableStream.create({ url: `${base}/client-no-token`, contentType: 'text/plain' })).rejects.toThrow();
    const res = await fetch(`${base}/client-no-token`, { method: 'PUT', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(401);
  });

  it('creates a JSON stream, appends and reads it back from the start', async () => {
    const handle = await DurableStream.create({ url: `${base}/client-json`, contentType: 'application/json', headers });
    await handle.append(JSON.stringify({ n: 1 }));
    await handle.append(JSON.stringify([{ n: 2 }, { n: 3 }]));
    const res = await handle.stream<{ n: number }>({ live: false });
    // The client sends each append as a one-element batch, so an appended array stays one message.
    expect(await res.json()).toEqual([{ n: 1 }, [{ n: 2 }, { n: 3 }]]);
    expect(res.upToDate).toBe(true);
  });

  it('reads on from an offset it was given, without the bytes before it', async () => {
    const handle = await DurableStream.create({ url: `${base}/client-offset`, contentType: 'text/plain', headers });
    await handle.append('first ');
    const head = await handle.head();
    await handle.append('second');
    const offset = head.exists ? head.offset : undefined;
    const res = await handle.stream({ live: false, offset });
    expect(await res.text()).toBe('second');
  });

  it('follows a JSON stream live over SSE', async () => {
    const handle = await DurableStream.create({ url: `${base}/client-sse`, contentType: 'application/json', headers });
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
    const handle = await DurableStream.create({ url: `${base}/client-long-poll`, contentType: 'application/octet-stream', headers });
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
    const handle = await DurableStream.create({ url, contentType: 'text/plain', headers });
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
