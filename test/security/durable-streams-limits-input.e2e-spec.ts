import { AllowAllDurableStreamsAuthorizer } from '../../lib/index.js';
import { connect } from 'node:net';
import { CapturingLogger } from '../utils/capturing-logger.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/** A small seeded generator (mulberry32), so a failing fuzz run can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_NUMBERS = [
  '-1',
  '-0',
  '0',
  '00',
  '1e3',
  '1.5',
  '+5',
  ' 5',
  '0x10',
  'NaN',
  'Infinity',
  '9007199254740991',
  '9007199254740992',
  '9223372036854775807',
  '99999999999999999999999999999',
  'abc',
  '',
  '\u00b3',
];
const HOSTILE_OFFSETS = [
  '-1',
  'now',
  '-2',
  '0',
  '0_0',
  '0000000000000000_0000000000000000',
  '0000000000000000_9007199254740991',
  '0000000000000000_9999999999999999',
  '9999999999999999_9999999999999999',
  '99999999999999999_1',
  '0000000000000000_-000000000000001',
  'x'.repeat(3000),
  '%00',
  '\u00ff',
];
const HOSTILE_STRINGS = ['', ' ', 'true', 'TRUE', 'false', 'x'.repeat(3000), '\u00e9\u00ff', '"quoted"', 'a,b', '../../etc'];
const BODIES: Array<string | Uint8Array> = [
  '',
  '{"a":1}',
  '[]',
  '[1,2',
  '{"a":',
  'null',
  '"\\ud800"',
  '[[[[[[[[[[',
  '['.repeat(20_000),
  '['.repeat(20_000) + ']'.repeat(20_000),
  new Uint8Array([0xff, 0xfe, 0x00, 0x80]),
  'x'.repeat(70_000),
];

/** Sends raw bytes and waits for the server to answer or close; returns the status line. */
function rawExchange(port: number, request: string | Buffer, closeAfterMs?: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(request);
      if (closeAfterMs !== undefined) setTimeout(() => socket.destroy(), closeAfterMs);
    });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => resolve(text));
    socket.on('close', () => resolve(text));
    setTimeout(() => reject(new Error('no answer')), 10_000).unref();
  });
}

describe('Durable Streams: hostile client input gets a 4xx, never a 500 or an ERROR log', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  const logger = new CapturingLogger();
  const base = () => `${t.baseUrl}/v1/stream`;

  beforeAll(async () => {
    db = await createTestDatabase('ds_limits_input');
    t = await createFirehoseHttpApp({
      url: db.url,
      durableStreams: { authorizer: AllowAllDurableStreamsAuthorizer, longPollTimeout: 200, maxAppendBytes: 1024 * 1024 },
      logger,
    });
    await fetch(`${base()}/json`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '[{"a":1},{"b":2}]' });
    await fetch(`${base()}/bytes`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: 'abc' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });
  afterEach(() => {
    expect(logger.logs.filter((log) => log.level === 'error' || log.level === 'fatal').map((log) => log.message)).toEqual([]);
    // A WARN line at most, never a stack.
    for (const log of logger.logs) expect([log.message, ...log.params.map(String)].join('\n')).not.toMatch(/\n\s+at \S/);
  });

  it('answers a JSON append or PUT nested 100,000 levels deep with 400', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const append = await fetch(`${base()}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep });
    expect(append.status).toBe(400);
    expect(await append.text()).toMatch(/nested too deeply/);
    const put = await fetch(`${base()}/deep-put`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: deep });
    expect(put.status).toBe(400);
    const unclosed = await fetch(`${base()}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '['.repeat(100_000),
    });
    expect(unclosed.status).toBe(400);
    expect(await (await fetch(`${base()}/json?offset=-1`)).json()).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('refuses a 4,000-character stream path with 414 on PUT and 404 elsewhere', async () => {
    const long = `${base()}/${'p'.repeat(4000)}`;
    const put = await fetch(long, { method: 'PUT' });
    expect(put.status).toBe(414);
    expect(await put.text()).toMatch(/at most 1024 characters/);
    for (const method of ['GET', 'HEAD', 'POST', 'DELETE']) {
      const res = await fetch(long, { method, ...(method === 'POST' ? { headers: { 'content-type': 'text/plain' }, body: 'x' } : {}) });
      expect([method, res.status]).toEqual([method, 404]);
    }
    expect((await fetch(`${base()}/${'p'.repeat(1000)}`, { method: 'PUT' })).status).toBe(201);
  });

  it('refuses a 3,000-character Producer-Id with 400 without failing appends batched with it', async () => {
    const [long, neighbour] = await Promise.all([
      fetch(`${base()}/bytes`, {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          'producer-id': 'p'.repeat(3000),
          'producer-epoch': '0',
          'producer-seq': '0',
        },
        body: 'x',
      }),
      fetch(`${base()}/bytes`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: 'y' }),
    ]);
    expect([long.status, neighbour.status]).toEqual([400, 204]);
    expect(await long.text()).toMatch(/Producer-Id is at most/);
  });

  it('answers concurrent PUTs of one new path with one 201 and 200s', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${base()}/race`, { method: 'PUT', headers: { 'content-type': 'text/plain' } }).then((res) => res.status),
      ),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
  });

  it('logs nothing at ERROR when a client cuts its body off mid-way', async () => {
    const port = Number(new URL(t.baseUrl).port);
    for (const method of ['PUT', 'POST']) {
      await rawExchange(
        port,
        `${method} /v1/stream/bytes HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(1000)}`,
        100,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  });

  it('answers out-of-range and malformed headers and query values with 4xx', async () => {
    const failures: string[] = [];
    const check = async (label: string, url: string, init: RequestInit) => {
      const res = await fetch(url, init);
      await res.arrayBuffer();
      if (res.status >= 500) failures.push(`${label}: ${res.status}`);
    };
    for (const offset of HOSTILE_OFFSETS) {
      for (const live of ['', '&live=long-poll', '&live=sse', '&live=x']) {
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), 300);
        await check(
          `offset=${offset.slice(0, 20)}${live}`,
          `${base()}/bytes?offset=${encodeURIComponent(offset)}${live}&cursor=${offset}`,
          {
            signal: abort.signal,
          },
        ).catch((error) => (error.name === 'AbortError' ? undefined : failures.push(String(error))));
        clearTimeout(timer);
      }
      await check(`fork-offset=${offset.slice(0, 20)}`, `${base()}/fork-${Math.random()}`, {
        method: 'PUT',
        headers: { 'stream-forked-from': '/v1/stream/bytes', 'stream-fork-offset': offset },
      });
    }
    for (const value of HOSTILE_NUMBERS) {
      await check(`ttl=${value}`, `${base()}/ttl-${Math.random()}`, { method: 'PUT', headers: { 'stream-ttl': value } });
      await check(`sub-offset=${value}`, `${base()}/sub-${Math.random()}`, {
        method: 'PUT',
        headers: { 'stream-forked-from': '/v1/stream/json', 'stream-fork-sub-offset': value },
      });
      for (const [epoch, seq] of [
        [value, '0'],
        ['0', value],
      ]) {
        await check(`producer ${epoch}/${seq}`, `${base()}/bytes`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', 'producer-id': 'fuzz', 'producer-epoch': epoch, 'producer-seq': seq },
          body: 'z',
        });
      }
    }
    expect(failures).toEqual([]);
  });

  it('survives a seeded fuzz of methods, paths, headers and bodies with no 5xx', async () => {
    const next = random(0x5eed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const paths = ['json', 'bytes', 'new', 'a/b/c', '%00', '%ff%fe', '..%2f..%2fx', 'x'.repeat(1100), '\u00e9', 'a?b=c', 'sp ace'];
    const headerNames = [
      'content-type',
      'stream-ttl',
      'stream-expires-at',
      'stream-seq',
      'stream-closed',
      'producer-id',
      'producer-epoch',
      'producer-seq',
      'stream-forked-from',
      'stream-fork-offset',
      'stream-fork-sub-offset',
      'if-none-match',
    ];
    const headerValues = [
      ...HOSTILE_NUMBERS,
      ...HOSTILE_OFFSETS.slice(0, 11),
      ...HOSTILE_STRINGS,
      'application/json',
      'text/plain',
      'text/html; charset=utf-7',
      'application/json; charset="x"',
      '2030-01-01T00:00:00Z',
      '+275760-09-13T00:00:00.000Z',
      '/v1/stream/json',
      'http://127.0.0.1/v1/stream/bytes',
      'http://[::1',
    ];
    const failures: string[] = [];
    const one = async (n: number) => {
      const method = pick(['GET', 'PUT', 'POST', 'HEAD', 'DELETE', 'PATCH', 'OPTIONS']);
      const path = `${base()}/fuzz/${pick(paths)}`;
      const headers: Record<string, string> = {};
      for (let i = Math.floor(next() * 5); i > 0; i--) headers[pick(headerNames)] = pick(headerValues).replace(/[^\t\x20-\x7e]/g, '?');
      const query = pick(['', '?offset=-1', `?offset=${pick(HOSTILE_OFFSETS)}`, '?offset=now&live=long-poll', '?offset=-1&offset=now']);
      const body = method === 'PUT' || method === 'POST' ? pick(BODIES) : undefined;
      try {
        const res = await fetch(path + query, { method, headers, body, signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status >= 500)
          failures.push(`#${n} ${method} ${path.slice(-40)}${query} ${JSON.stringify(headers).slice(0, 200)}: ${res.status}`);
      } catch (error) {
        if ((error as Error).name !== 'TimeoutError') failures.push(`#${n}: ${String(error)}`);
      }
    };
    for (let round = 0; round < 50; round++) await Promise.all(Array.from({ length: 8 }, (_, i) => one(round * 8 + i)));
    expect(failures).toEqual([]);
  }, 120_000);
});
