import { Injectable, type CanActivate } from '@nestjs/common';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { AllowAllDurableStreamsAuthorizer, type DurableStreamsAuthorizer, type DurableStreamsOptions } from '../../lib/index.js';
import { createFirehoseHttpApp, type FirehoseHttpApp, type FirehoseHttpAppOptions } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with its target sent exactly as given (fetch would resolve dot segments and backslashes first). */
function raw(base: string, method: string, path: string, headers: OutgoingHttpHeaders = {}, body?: string): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

@Injectable()
class PassGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

/** Allows everything but does not say its reads are public. */
@Injectable()
class QuietAuthorizer implements DurableStreamsAuthorizer {
  authorize(): boolean {
    return true;
  }
}

const text = { 'content-type': 'text/plain' };

describe('Durable Streams Location, stream paths and caching', () => {
  let db: TestDatabase;
  const apps: FirehoseHttpApp[] = [];
  const start = async (durableStreams: DurableStreamsOptions, extra: Partial<FirehoseHttpAppOptions> = {}) => {
    const app = await createFirehoseHttpApp({ url: db.url, durableStreams, logger: ['error'], ...extra });
    apps.push(app);
    return app.baseUrl;
  };

  beforeAll(async () => {
    db = await createTestDatabase('ds_sec_paths');
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  describe('an app that trusts no proxy, with the allow-all authorizer', () => {
    let origin: string;

    beforeAll(async () => {
      origin = await start({ authorizer: AllowAllDurableStreamsAuthorizer });
    });

    it('answers a create with a path-only Location, whatever Host and X-Forwarded-* claim', async () => {
      const res = await raw(origin, 'PUT', '/v1/stream/located', {
        host: 'evil.example',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
      });
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe('/v1/stream/located');
    });

    it('refuses every other spelling of a path with 400 instead of taking it for another (or the same) stream', async () => {
      for (const path of [
        '/v1/stream/a%2Fb',
        '/v1/stream/a%2fb',
        '/v1/stream/a%5Cb',
        '/v1/stream//a',
        '/v1/stream/a//b',
        '/v1/stream/a/',
        '/v1/stream/./a',
        '/v1/stream/x/../a',
        '/v1/stream/%2e%2E/a',
        '/v1/stream/.%2e/a',
        '/v1/stream/a\\b',
        '/v1/stream/a%zz',
      ]) {
        const res = await raw(origin, 'PUT', path, text, 'x');
        expect([path, res.status]).toEqual([path, 400]);
        expect(res.headers['content-type']).toBe('text/plain');
      }
      // An escape that does not decode as UTF-8: Express refuses to decode the route parameter.
      expect((await raw(origin, 'PUT', '/v1/stream/a%FF', text, 'x')).status).toBe(400);
      expect(Number((await db.query(`SELECT count(*) AS n FROM firehose_ds_streams WHERE path <> '/v1/stream/located'`))[0].n)).toBe(0);
      expect((await raw(origin, 'PUT', '/v1/stream/a/b', text)).status).toBe(201);
      // Dots that are no dot segment, and escapes of other characters, are names like any other.
      for (const path of ['/v1/stream/.x/...', '/v1/stream/a.b/%41%C3%A9']) expect((await raw(origin, 'PUT', path, text)).status).toBe(201);
      expect((await raw(origin, 'HEAD', '/v1/stream/a.b/A%C3%A9')).status).toBe(404);
    });

    it('serves no other case of the base path (Express matches routes case-insensitively)', async () => {
      expect((await raw(origin, 'PUT', '/V1/Stream/upper', text, 'x')).status).toBe(404);
      expect((await raw(origin, 'HEAD', '/v1/stream/upper')).status).toBe(404);
    });

    it('refuses a fork source in another spelling, and takes only the path of an absolute one', async () => {
      const bad = await raw(origin, 'PUT', '/v1/stream/fork-bad', { 'stream-forked-from': '/v1/stream/x/../a/b' });
      expect(bad.status).toBe(400);
      const outside = await raw(origin, 'PUT', '/v1/stream/fork-outside', { 'stream-forked-from': '/elsewhere/a/b' });
      expect(outside.status).toBe(400);
      const absolute = await raw(origin, 'PUT', '/v1/stream/fork-ok', { 'stream-forked-from': 'https://other.example/v1/stream/a/b' });
      expect(absolute.status).toBe(201);
    });

    it('lets shared caches keep catch-up reads: anyone may read every stream', async () => {
      const read = await fetch(`${origin}/v1/stream/a/b?offset=-1`);
      expect(read.headers.get('cache-control')).toMatch(/^public/);
    });
  });

  it('builds an absolute Location from X-Forwarded-* when the app trusts its proxy; private reads behind a guard', async () => {
    const origin = await start(
      { authorizer: AllowAllDurableStreamsAuthorizer, guards: [PassGuard] },
      { configure: (app) => app.set('trust proxy', 'loopback') },
    );
    const res = await raw(origin, 'PUT', '/v1/stream/proxied', {
      'x-forwarded-host': 'streams.example.com',
      'x-forwarded-proto': 'https',
    });
    expect(res.headers.location).toBe('https://streams.example.com/v1/stream/proxied');
    const read = await fetch(`${origin}/v1/stream/proxied?offset=-1`);
    expect(read.headers.get('cache-control')).toMatch(/^private/);
  });

  it("serves under the app's global prefix, body bytes intact; private reads unless the authorizer says they are public", async () => {
    const origin = await start({ authorizer: QuietAuthorizer }, { configure: (app) => app.setGlobalPrefix('api') });
    const put = await fetch(`${origin}/api/v1/stream/prefixed`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
    });
    expect(put.status).toBe(201);
    expect(put.headers.get('location')).toBe('/api/v1/stream/prefixed');
    const body = '{ "spaced" :  true }';
    expect(
      (await fetch(`${origin}/api/v1/stream/prefixed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status,
    ).toBe(204);
    const read = await fetch(`${origin}/api/v1/stream/prefixed?offset=-1`);
    expect(await read.json()).toEqual([{ spaced: true }]);
    expect(read.headers.get('cache-control')).toMatch(/^private/);
    expect((await raw(origin, 'PUT', '/api/v1/stream//x', text)).status).toBe(400);
  });
});
