import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { WebSocket } from 'ws';
import type { FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { within, waitFor } from '../utils/collect.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs, refusedUpgrade, type WsTestClient } from '../utils/ws-client.js';
import { createFluxbaseApp, signer } from './fluxbase-fixtures.js';

/** A global guard, as an app registers with APP_GUARD: it refuses any request with `x-deny`. */
@Injectable()
class DenyHeaderGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest().headers['x-deny'] === undefined;
  }
}

/** Fluxbase's `?token=` authentication at the upgrade, the stats route's guards, and the heartbeat. */
describe('Fluxbase realtime: authentication, stats route and heartbeat', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  let strict: FirehoseHttpApp;
  const open: WsTestClient[] = [];

  const connect = async (app: FirehoseHttpApp, query = '', path = '/realtime') => {
    const client = await openWs(`${app.wsUrl}${path}${query}`);
    open.push(client);
    return client;
  };
  const token = (claims: Record<string, unknown>) => signer.signAsync(claims);
  // This app beats every 150 ms, so a heartbeat may come before the reply: the reply is the first other frame.
  const firstReply = async (client: WsTestClient, message: unknown) => {
    const before = client.frames.length;
    const isReply = (frame: { type?: string }) => frame.type !== 'heartbeat';
    client.send(message);
    await client.waitForFrames((frame) => isReply(frame), client.frames.slice(0, before).filter(isReply).length + 1);
    return client.frames.slice(before).find(isReply);
  };

  beforeAll(async () => {
    db = await createTestDatabase('fluxbase_auth');
    t = await createFluxbaseApp(db.url, { fluxbase: { heartbeatInterval: 150 } });
    // No authorizer, a global guard, and other paths.
    strict = await createFluxbaseApp(db.url, {
      firehose: { authorizer: undefined },
      fluxbase: { path: '/ws/live', statsPath: '/internal/realtime-stats' },
      providers: [{ provide: APP_GUARD, useClass: DenyHeaderGuard }],
    });
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await t?.close();
    await strict?.close();
    await db?.drop();
  });

  it('refuses a token that does not verify with 401 at the upgrade, before any socket', async () => {
    expect(await refusedUpgrade(`${t.wsUrl}/realtime?token=not.a.jwt`)).toEqual({ status: 401, body: 'Invalid or expired token' });
    const expired = await token({ sub: 'ann', exp: Math.floor(Date.now() / 1000) - 60 });
    expect(await refusedUpgrade(`${t.wsUrl}/realtime?token=${expired}`)).toEqual({ status: 401, body: 'Invalid or expired token' });
    const forged = await new (await import('@nestjs/jwt')).JwtService({ secret: 'another-secret' }).signAsync({ sub: 'ann' });
    expect((await refusedUpgrade(`${t.wsUrl}/realtime?token=${forged}`)).status).toBe(401);
  });

  it('refuses with 403 what a guard answers false to, and a page of another origin', async () => {
    expect(await refusedUpgrade(`${t.wsUrl}/realtime?token=${await token({ sub: 'locked-out' })}`)).toEqual({
      status: 403,
      body: 'Forbidden resource',
    });
    expect(await refusedUpgrade(`${t.wsUrl}/realtime`, { origin: 'https://evil.example' })).toEqual({
      status: 403,
      body: "Origin https://evil.example may not open this WebSocket: it is not the app's own origin, nor in allowedOrigins.",
    });
    // The app's own origin is welcome.
    await connect(t);
    const own = await openWs(`${t.wsUrl}/realtime`, { origin: t.baseUrl });
    open.push(own);
  });

  it("carries the token's user on the connection: the authorizer decides per user", async () => {
    const ann = await connect(t, `?token=${await token({ sub: 'ann' })}`);
    const bob = await connect(t, `?token=${await token({ sub: 'bob' })}`);
    const anonymous = await connect(t);
    expect(await firstReply(ann, { type: 'subscribe', channel: 'user:ann' })).toEqual({ type: 'ack', channel: 'user:ann' });
    expect(await firstReply(bob, { type: 'subscribe', channel: 'user:ann' })).toMatchObject({ type: 'error', channel: 'user:ann' });
    expect(await firstReply(anonymous, { type: 'subscribe', channel: 'user:ann' })).toMatchObject({ type: 'error', channel: 'user:ann' });
    await t.firehose.broadcast('user:ann', { inbox: 1 });
    const [frame] = await ann.waitForControl('broadcast');
    expect(frame).toMatchObject({ channel: 'user:ann', payload: { inbox: 1 } });
  });

  it('serves nothing without an authorizer: every channel is refused with a message that says how to fix it', async () => {
    const client = await connect(strict, '', '/ws/live');
    expect(await firstReply(client, { type: 'subscribe', channel: 'table:public.products' })).toEqual({
      type: 'error',
      error: expect.stringMatching(/^No stream is readable: no FirehoseAuthorizer is configured/),
      channel: 'table:public.products',
    });
  });

  it("puts the stats route behind the module's guards and the app's global guards", async () => {
    expect(await (await fetch(`${t.baseUrl}/api/realtime/stats`)).json()).toEqual({ connections: expect.any(Number), channels: 0 });
    const refused = await fetch(`${t.baseUrl}/api/realtime/stats?token=bad`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ statusCode: 401, message: 'Invalid or expired token' });
    const moved = await fetch(`${strict.baseUrl}/internal/realtime-stats`);
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({ connections: 0, channels: 0 });
    expect((await fetch(`${strict.baseUrl}/internal/realtime-stats`, { headers: { 'x-deny': '1' } })).status).toBe(403);
    expect((await fetch(`${strict.baseUrl}/api/realtime/stats`)).status).toBe(404);
    // The endpoint moved with `path`: nothing answers at the default one.
    await connect(strict, '', '/ws/live');
    await expect(openWs(`${strict.wsUrl}/realtime`)).rejects.toThrow('socket hang up');
  });

  it('sends {"type":"heartbeat"} every heartbeatInterval, and answers a client heartbeat with one', async () => {
    const client = await connect(t);
    const started = Date.now();
    await client.waitForControl('heartbeat', 3, 5000);
    // Three ticks of 150 ms: not sooner than about 300 ms after connecting (the first may come early).
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(client.texts.filter((text) => text === '{"type":"heartbeat"}').length).toBeGreaterThanOrEqual(3);

    const quiet = await connect(t);
    // Between ticks: the answer comes long before the next one would.
    quiet.send({ type: 'heartbeat' });
    await within(quiet.waitForControl('heartbeat', 1), 2000, 'the answer to a client heartbeat');
  });

  it('drops a peer that stops answering pings, and the stats forget it', async () => {
    const stats = async () => (await (await fetch(`${t.baseUrl}/api/realtime/stats`)).json()) as { connections: number };
    await waitFor(async () => (await stats()).connections === 0, 5000, 'no connection left');
    const deaf = new WebSocket(`${t.wsUrl}/realtime`, { autoPong: false });
    const closed = new Promise<number>((resolve) => deaf.once('close', (code) => resolve(code)));
    await new Promise((resolve) => deaf.once('open', resolve));
    expect((await stats()).connections).toBe(1);
    // The first tick pings; the next finds no pong and terminates (1006: no close frame).
    expect(await within(closed, 3000, 'the server dropping a dead peer')).toBe(1006);
    await waitFor(async () => (await stats()).connections === 0, 3000, 'the stats to forget it');
  });
});
