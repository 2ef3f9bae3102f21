import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AllowAllStreamsAuthorizer } from '../../lib/index.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { openSse, type SseConnection } from '../utils/sse-client.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs, refusedUpgrade } from '../utils/ws-client.js';

/** Which guard ran, in order, for the request tagged with the `x-trace` header. */
const runs = new Map<string, string[]>();
const record = (context: ExecutionContext, guard: string) => {
  const request = context.switchToHttp().getRequest();
  const trace = String(request.headers['x-trace']);
  runs.set(trace, [...(runs.get(trace) ?? []), guard]);
  return request;
};
let traces = 0;
const nextTrace = () => `trace-${++traces}`;

/** A global guard, as an app registers one: refuses requests that carry `x-app-block`. */
@Injectable()
class AppWideGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = record(context, 'app');
    return request.headers['x-app-block'] === undefined;
  }
}

/** First module guard: authenticates (401 without a token) and attaches request.user. */
@Injectable()
class AuthenticateGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = record(context, 'authenticate');
    const token = request.headers.authorization?.replace(/^Bearer /, '');
    if (!token) throw new UnauthorizedException('Send a bearer token.');
    request.user = { name: token };
    return true;
  }
}

/** Second module guard: relies on what the first attached, so it only works when run after it. */
@Injectable()
class AdminOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = record(context, 'admin-only');
    return request.user?.name === 'admin';
  }
}

describe('guards on the transports', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  const open: Array<{ close(): void }> = [];

  const sse = async (headers: Record<string, string>): Promise<SseConnection> => {
    const connection = await openSse(`${t.baseUrl}/firehose/sse?streams=guarded`, headers);
    open.push(connection);
    return connection;
  };

  beforeAll(async () => {
    db = await createTestDatabase('guards');
    t = await createFirehoseHttpApp({
      url: db.url,
      providers: [{ provide: APP_GUARD, useClass: AppWideGuard }],
      firehose: { authorizer: AllowAllStreamsAuthorizer, guards: [AuthenticateGuard, AdminOnlyGuard] },
    });
  });
  afterEach(() => {
    for (const connection of open.splice(0)) connection.close();
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  describe('SSE', () => {
    it('answers 401 with the message of a guard that throws UnauthorizedException, and runs no later guard', async () => {
      const trace = nextTrace();
      const refused = await sse({ 'x-trace': trace });
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ statusCode: 401, message: 'Send a bearer token.' });
      expect(runs.get(trace)).toEqual(['app', 'authenticate']);
    });

    it('runs the global APP_GUARD first, then the module guards in the order given', async () => {
      const trace = nextTrace();
      const served = await sse({ 'x-trace': trace, authorization: 'Bearer admin' });
      expect(served.status).toBe(200);
      expect(runs.get(trace)).toEqual(['app', 'authenticate', 'admin-only']);

      const other = nextTrace();
      const refused = await sse({ 'x-trace': other, authorization: 'Bearer ann' });
      expect(refused.status).toBe(403);
      expect(runs.get(other)).toEqual(['app', 'authenticate', 'admin-only']);
    });

    it('answers 403 when the APP_GUARD refuses, before any module guard runs', async () => {
      const trace = nextTrace();
      const refused = await sse({ 'x-trace': trace, 'x-app-block': '1', authorization: 'Bearer admin' });
      expect(refused.status).toBe(403);
      expect(runs.get(trace)).toEqual(['app']);
    });
  });

  describe('WebSocket upgrade', () => {
    it('runs the module guards in order and answers the first refusal, 401 or 403', async () => {
      const unauthenticated = nextTrace();
      expect(await refusedUpgrade(`${t.wsUrl}/firehose`, { headers: { 'x-trace': unauthenticated } })).toEqual({
        status: 401,
        body: 'Send a bearer token.',
      });
      expect(runs.get(unauthenticated)).toEqual(['authenticate']);

      const notAdmin = nextTrace();
      const refused = await refusedUpgrade(`${t.wsUrl}/firehose`, { headers: { 'x-trace': notAdmin, authorization: 'Bearer ann' } });
      expect(refused.status).toBe(403);
      expect(runs.get(notAdmin)).toEqual(['authenticate', 'admin-only']);
    });

    it('does not run the global APP_GUARD on the upgrade, as documented', async () => {
      const trace = nextTrace();
      // The APP_GUARD would refuse this request on any HTTP route; the upgrade only sees the module's guards.
      const client = await openWs(`${t.wsUrl}/firehose`, {
        headers: { 'x-trace': trace, 'x-app-block': '1', authorization: 'Bearer admin' },
      });
      open.push(client);
      expect(runs.get(trace)).toEqual(['authenticate', 'admin-only']);
      client.send({ command: 'subscribe', streams: ['guarded'] });
      await client.waitForControl('subscribed');
      const event = await t.firehose.broadcast('guarded', 'for the admin');
      const [frame] = await client.waitForEvents(1);
      expect(frame.id).toBe(event.id);
    });
  });
});
