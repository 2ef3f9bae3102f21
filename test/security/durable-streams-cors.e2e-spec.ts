import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { AllowAllDurableStreamsAuthorizer, type DurableStreamsOptions } from '../../lib/index.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const PAGE = 'https://app.example.com';
const STRANGER = 'https://evil.example';

@Injectable()
class TokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.switchToHttp().getRequest<IncomingMessage>().headers.authorization !== 'Bearer t') throw new UnauthorizedException();
    return true;
  }
}

const preflight = (url: string, origin: string) =>
  fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, content-type' },
  });

/** Every header that would let a page of another origin read a response. */
const corsHeaders = (res: Response) => [...res.headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('Durable Streams CORS: no cross-origin access unless allowedOrigins lists the origin', () => {
  let db: TestDatabase;
  const apps: FirehoseHttpApp[] = [];
  const start = async (options: DurableStreamsOptions) => {
    const app = await createFirehoseHttpApp({
      url: db.url,
      durableStreams: { authorizer: AllowAllDurableStreamsAuthorizer, ...options },
      logger: ['error'],
    });
    apps.push(app);
    return `${app.baseUrl}/v1/stream`;
  };

  beforeAll(async () => {
    db = await createTestDatabase('ds_sec_cors');
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  it('by default grants no origin anything: no Access-Control-* header, preflights included; same-origin resource policy', async () => {
    const base = await start({});
    const put = await fetch(`${base}/plain`, { method: 'PUT', headers: { origin: STRANGER, 'content-type': 'text/plain' }, body: 'x' });
    expect(put.status).toBe(201);
    const read = await fetch(`${base}/plain?offset=-1`, { headers: { origin: STRANGER } });
    const missing = await fetch(`${base}/nothing?offset=-1`, { headers: { origin: STRANGER } });
    const options = await preflight(`${base}/plain`, STRANGER);
    for (const res of [put, read, missing, options]) {
      expect(corsHeaders(res)).toEqual([]);
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  describe('with allowedOrigins', () => {
    let base: string;

    beforeAll(async () => {
      base = await start({ allowedOrigins: [PAGE], guards: [TokenGuard] });
    });

    it('echoes a listed origin with Vary: Origin and the protocol headers exposed, on answers and on guard refusals', async () => {
      const headers = { origin: PAGE, authorization: 'Bearer t', 'content-type': 'text/plain' };
      const put = await fetch(`${base}/shared`, { method: 'PUT', headers, body: 'x' });
      expect(put.status).toBe(201);
      const read = await fetch(`${base}/shared?offset=-1`, { headers });
      const refused = await fetch(`${base}/shared?offset=-1`, { headers: { origin: PAGE } });
      expect(refused.status).toBe(401);
      for (const res of [put, read, refused]) {
        expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
        expect(res.headers.get('vary')).toMatch(/Origin/);
        expect(res.headers.get('access-control-expose-headers')).toMatch(/Stream-Next-Offset/);
        expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      }
    });

    it('grants an unlisted origin nothing, and still says the answer varies by Origin', async () => {
      const read = await fetch(`${base}/shared?offset=-1`, { headers: { origin: STRANGER, authorization: 'Bearer t' } });
      expect(read.status).toBe(200);
      expect(corsHeaders(read)).toEqual([]);
      expect(read.headers.get('vary')).toMatch(/Origin/);
    });

    it('answers the preflight of a listed origin before the guards (a preflight carries no credentials), and no other', async () => {
      const allowed = await preflight(`${base}/shared`, PAGE);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(PAGE);
      expect(allowed.headers.get('access-control-allow-methods')).toMatch(/PUT/);
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      const refused = await preflight(`${base}/shared`, STRANGER);
      expect(corsHeaders(refused)).toEqual([]);
    });
  });

  it("with '*' lets any origin read, without credentials, and lets it embed the responses", async () => {
    const base = await start({ allowedOrigins: ['*'] });
    const put = await fetch(`${base}/open`, { method: 'PUT', headers: { origin: STRANGER } });
    expect(put.headers.get('access-control-allow-origin')).toBe('*');
    expect(put.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect((await preflight(`${base}/open`, STRANGER)).headers.get('access-control-allow-origin')).toBe('*');
  });
});
