import {
  HttpException,
  Injectable,
  UnauthorizedException,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import {
  AllowAllDurableStreamsAuthorizer,
  type DurableStreamsAccessContext,
  type DurableStreamsAuthorizer,
  type DurableStreamsOptions,
} from '../../lib/index.js';
import { createFirehoseHttpApp, type FirehoseHttpApp, type FirehoseHttpAppOptions } from '../utils/create-firehose-http-app.js';
import { type SignedInRequest, UserDirectory, UsersModule } from '../utils/stream-auth-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/** The app's sign-in guard: a bearer token of UserDirectory, else 401; attaches `request.user`. */
@Injectable()
class SignInGuard implements CanActivate {
  constructor(private readonly users: UserDirectory) {}
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SignedInRequest>();
    const user = this.users.find(request.headers.authorization?.replace(/^Bearer /, ''));
    if (!user) throw new UnauthorizedException('Sign in first');
    request.user = user;
    return true;
  }
}

const order: string[] = [];
const seen: Array<Omit<DurableStreamsAccessContext, 'request'> & { user?: string }> = [];

/** Says "false" or throws a 418 when the request asks it to; records that it ran. */
@Injectable()
class FirstGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    order.push('first');
    const asked = context.switchToHttp().getRequest<SignedInRequest>().headers['x-test-guard'];
    if (asked === 'teapot') throw new HttpException('I am a teapot', 418);
    return asked !== 'false';
  }
}

@Injectable()
class SecondGuard implements CanActivate {
  canActivate(): boolean {
    order.push('second');
    return true;
  }
}

/** Each user owns the streams under their name; nobody else may touch them, reading included. */
@Injectable()
class OwnerAuthorizer implements DurableStreamsAuthorizer<SignedInRequest> {
  authorize(context: DurableStreamsAccessContext<SignedInRequest>): Promise<boolean> {
    const { request, ...rest } = context;
    order.push('authorizer');
    seen.push({ ...rest, user: request.user?.name });
    return Promise.resolve(request.user !== undefined && context.stream.startsWith(`${request.user.name}/`));
  }
}

/** A global guard: requests need `x-app-key`. */
@Injectable()
class AppKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<SignedInRequest>().headers['x-app-key'] === 'k';
  }
}

/** A global interceptor stamping the response before the handler runs. */
@Injectable()
class StampInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    context.switchToHttp().getResponse<ServerResponse>().setHeader('x-intercepted', 'yes');
    return next.handle();
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('Durable Streams requests go through the app: guards, global guards, interceptors, middleware, authorizer', () => {
  let db: TestDatabase;
  const apps: FirehoseHttpApp[] = [];
  const start = async (durableStreams: DurableStreamsOptions, extra: Partial<FirehoseHttpAppOptions> = {}) => {
    const app = await createFirehoseHttpApp({
      url: db.url,
      durableStreams: { longPollTimeout: 500, ...durableStreams },
      logger: ['error'],
      ...extra,
    });
    apps.push(app);
    return { app, base: `${app.baseUrl}/v1/stream` };
  };
  const streamCount = async () => Number((await db.query('SELECT count(*) AS n FROM firehose_ds_streams'))[0].n);

  beforeAll(async () => {
    db = await createTestDatabase('ds_sec_guards');
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  it('without an authorizer refuses every request with 403 saying how to configure one, and touches no stream', async () => {
    const { base } = await start({});
    const put = await fetch(`${base}/open`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(put.status).toBe(403);
    expect(await put.text()).toMatch(/no DurableStreamsAuthorizer is configured.*authorizer.*AllowAllDurableStreamsAuthorizer/);
    for (const [method, url] of [
      ['POST', `${base}/open`],
      ['GET', `${base}/open?offset=-1`],
      ['GET', `${base}/open?offset=-1&live=long-poll`],
      ['HEAD', `${base}/open`],
      ['DELETE', `${base}/open`],
    ] as const) {
      const res = await fetch(url, { method, headers: { 'content-type': 'text/plain' }, body: method === 'POST' ? 'y' : undefined });
      expect([method, res.status]).toEqual([method, 403]);
    }
    expect(await streamCount()).toBe(0);
  });

  describe('with the module guards and an authorizer', () => {
    let base: string;

    beforeAll(async () => {
      ({ base } = await start({ guards: [SignInGuard, FirstGuard, SecondGuard], authorizer: OwnerAuthorizer }, { imports: [UsersModule] }));
    });
    beforeEach(() => {
      order.length = 0;
      seen.length = 0;
    });

    it('refuses every operation without the token (401), before the authorizer is asked', async () => {
      const requests: Array<[string, string, RequestInit['body']?]> = [
        ['PUT', `${base}/ann/a`, 'x'],
        ['POST', `${base}/ann/a`, 'y'],
        ['GET', `${base}/ann/a?offset=-1`],
        ['GET', `${base}/ann/a?offset=now&live=sse`],
        ['HEAD', `${base}/ann/a`],
        ['DELETE', `${base}/ann/a`],
      ];
      for (const [method, url, body] of requests) {
        const res = await fetch(url, { method, headers: { 'content-type': 'text/plain' }, body });
        expect([method, url, res.status]).toEqual([method, url, 401]);
      }
      expect(seen).toEqual([]);
      expect(await streamCount()).toBe(0);
    });

    it('runs the guards in order, then asks the authorizer once per request with the operation, the stream and request.user', async () => {
      const ann = { ...bearer('token-ann'), 'content-type': 'text/plain' };
      expect((await fetch(`${base}/ann/a`, { method: 'PUT', headers: ann, body: 'one;' })).status).toBe(201);
      expect(order).toEqual(['first', 'second', 'authorizer']);
      expect((await fetch(`${base}/ann/a`, { method: 'POST', headers: ann, body: 'two;' })).status).toBe(204);
      const read = await fetch(`${base}/ann/a?offset=-1`, { headers: ann });
      expect(await read.text()).toBe('one;two;');
      expect((await fetch(`${base}/ann/a`, { method: 'HEAD', headers: ann })).status).toBe(200);
      const fork = await fetch(`${base}/ann/copy`, { method: 'PUT', headers: { ...ann, 'stream-forked-from': '/v1/stream/ann/a' } });
      expect(fork.status).toBe(201);
      expect((await fetch(`${base}/ann/a`, { method: 'POST', headers: { ...ann, 'stream-closed': 'true' } })).status).toBe(204);
      expect((await fetch(`${base}/ann/copy`, { method: 'DELETE', headers: ann })).status).toBe(204);
      expect(seen).toEqual([
        { operation: 'create', stream: 'ann/a', path: '/v1/stream/ann/a', user: 'ann' },
        { operation: 'append', stream: 'ann/a', path: '/v1/stream/ann/a', user: 'ann' },
        { operation: 'read', stream: 'ann/a', path: '/v1/stream/ann/a', user: 'ann' },
        { operation: 'read', stream: 'ann/a', path: '/v1/stream/ann/a', user: 'ann' },
        { operation: 'fork', stream: 'ann/copy', path: '/v1/stream/ann/copy', source: 'ann/a', user: 'ann' },
        { operation: 'read', stream: 'ann/a', path: '/v1/stream/ann/a', user: 'ann' },
        { operation: 'append', stream: 'ann/a', path: '/v1/stream/ann/a', user: 'ann' },
        { operation: 'delete', stream: 'ann/copy', path: '/v1/stream/ann/copy', user: 'ann' },
      ]);
    });

    it("refuses another user's stream with 403 for every operation, live reads included, and changes nothing", async () => {
      const bob = { ...bearer('token-bob'), 'content-type': 'text/plain' };
      expect((await fetch(`${base}/bob/private`, { method: 'PUT', headers: bob, body: 'secret' })).status).toBe(201);
      const ann = { ...bearer('token-ann'), 'content-type': 'text/plain' };
      const attempts: Array<[string, string, Record<string, string>?, string?]> = [
        ['PUT', `${base}/bob/new`],
        ['POST', `${base}/bob/private`, {}, 'injected'],
        ['POST', `${base}/bob/private`, { 'stream-closed': 'true' }],
        ['GET', `${base}/bob/private?offset=-1`],
        ['GET', `${base}/bob/private?offset=now&live=long-poll`],
        ['GET', `${base}/bob/private?offset=-1&live=sse`],
        ['HEAD', `${base}/bob/private`],
        ['DELETE', `${base}/bob/private`],
      ];
      for (const [method, url, headers, body] of attempts) {
        const res = await fetch(url, { method, headers: { ...ann, ...headers }, body });
        expect([method, url, res.status]).toEqual([method, url, 403]);
      }
      const after = await fetch(`${base}/bob/private?offset=-1`, { headers: bob });
      expect(await after.text()).toBe('secret');
      expect(after.headers.get('stream-closed')).toBeNull();
      expect((await fetch(`${base}/bob/new`, { headers: bob })).status).toBe(404);
    });

    it('refuses a fork into your own stream from a stream you may not read', async () => {
      const bob = { ...bearer('token-bob'), 'content-type': 'text/plain' };
      await fetch(`${base}/bob/source`, { method: 'PUT', headers: bob, body: 'bob only' });
      seen.length = 0;
      const ann = bearer('token-ann');
      for (const source of ['/v1/stream/bob/source', 'http://elsewhere.example/v1/stream/bob/source']) {
        const fork = await fetch(`${base}/ann/stolen`, { method: 'PUT', headers: { ...ann, 'stream-forked-from': source } });
        expect(fork.status).toBe(403);
      }
      expect(seen).toContainEqual({ operation: 'read', stream: 'bob/source', path: '/v1/stream/bob/source', user: 'ann' });
      expect((await fetch(`${base}/ann/stolen?offset=-1`, { headers: ann })).status).toBe(404);
    });

    it('answers with the status of a guard: 403 when it returns false, its own when it throws', async () => {
      const ann = { ...bearer('token-ann'), 'content-type': 'text/plain' };
      const refused = await fetch(`${base}/ann/guarded`, { method: 'PUT', headers: { ...ann, 'x-test-guard': 'false' } });
      expect(refused.status).toBe(403);
      const teapot = await fetch(`${base}/ann/guarded`, { method: 'PUT', headers: { ...ann, 'x-test-guard': 'teapot' } });
      expect(teapot.status).toBe(418);
      expect(seen).toEqual([]);
      expect((await fetch(`${base}/ann/guarded`, { method: 'HEAD', headers: ann })).status).toBe(404);
    });
  });

  it("runs the app's global guards (APP_GUARD and useGlobalGuards), interceptors and middleware", async () => {
    const { base } = await start(
      { authorizer: AllowAllDurableStreamsAuthorizer },
      {
        providers: [
          { provide: APP_GUARD, useClass: AppKeyGuard },
          { provide: APP_INTERCEPTOR, useClass: StampInterceptor },
        ],
        configure: (app) => {
          app.useGlobalGuards(new FirstGuard());
          app.use((_req: unknown, res: ServerResponse, next: () => void) => {
            res.setHeader('x-middleware', 'yes');
            next();
          });
        },
      },
    );
    const headers = { 'content-type': 'application/json', 'x-app-key': 'k' };
    expect((await fetch(`${base}/global`, { method: 'PUT', headers: { 'content-type': 'application/json' } })).status).toBe(403);
    expect((await fetch(`${base}/global`, { method: 'PUT', headers: { ...headers, 'x-test-guard': 'teapot' } })).status).toBe(418);
    const created = await fetch(`${base}/global`, { method: 'PUT', headers, body: '[{"a": 1}]' });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-intercepted')).toBe('yes');
    expect(created.headers.get('x-middleware')).toBe('yes');
    // The app's JSON body parser left the bytes to the handler (else the stream would be empty).
    const read = await fetch(`${base}/global?offset=-1`, { headers });
    expect(await read.json()).toEqual([{ a: 1 }]);
    // A guard may refuse some readers, so no shared cache may keep what it let through.
    expect(read.headers.get('cache-control')).toMatch(/^private/);
    expect((await fetch(`${base}/global?offset=-1`)).status).toBe(403);
  });
});
