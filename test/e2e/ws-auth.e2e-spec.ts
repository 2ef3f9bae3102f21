import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { FirehoseModule } from '../../lib/index.js';
import { FIREHOSE_AUTHORIZER } from '../../lib/firehose.constants.js';
import { collectLive } from '../utils/collect.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { TestAuthorizer, UserDirectory, UsersModule } from '../utils/stream-auth-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs, refusedUpgrade, type WsTestClient } from '../utils/ws-client.js';

/** Every upgrade request the guard below was asked about, in order. */
const guardRuns: string[] = [];

/** The app's own authentication: no token is 401, an unknown one is refused (403), else request.user. */
@Injectable()
class BearerTokenGuard implements CanActivate {
  constructor(private readonly users: UserDirectory) {}
  canActivate(context: ExecutionContext): boolean {
    guardRuns.push(context.switchToHttp().getRequest().headers.origin ?? '(none)');
    const request = context.switchToHttp().getRequest();
    const token = request.headers.authorization?.replace(/^Bearer /, '');
    if (!token) throw new UnauthorizedException('Send a bearer token.');
    const user = this.users.find(token);
    if (!user) return false;
    request.user = user;
    return true;
  }
}

describe('WebSocket authentication and authorization', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  let bare: FirehoseHttpApp;
  const open: WsTestClient[] = [];

  const connect = async (token?: string, base = t.wsUrl) => {
    const client = await openWs(`${base}/firehose`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    open.push(client);
    return client;
  };
  const authorizer = () => t.app.get<TestAuthorizer>(FIREHOSE_AUTHORIZER);

  beforeAll(async () => {
    db = await createTestDatabase('ws_auth');
    t = await createFirehoseHttpApp({
      url: db.url,
      imports: [UsersModule],
      firehose: { authorizer: TestAuthorizer, guards: [BearerTokenGuard], allowedOrigins: ['https://app.example'] },
    });
    bare = await createFirehoseHttpApp({ url: db.url });
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await t?.close();
    await bare?.close();
    await db?.drop();
  });

  describe('at the upgrade', () => {
    const origin = 'https://app.example';

    it('answers 401 when a guard throws UnauthorizedException, and no socket is opened', async () => {
      const refused = await refusedUpgrade(`${t.wsUrl}/firehose`, { origin });
      expect(refused.status).toBe(401);
      expect(refused.body).toBe('Send a bearer token.');
    });

    it('answers 403 when a guard returns false', async () => {
      const refused = await refusedUpgrade(`${t.wsUrl}/firehose`, { origin, headers: { authorization: 'Bearer token-nobody' } });
      expect(refused.status).toBe(403);
    });

    it('answers 403 to an origin not in allowedOrigins, before any guard runs', async () => {
      const runs = guardRuns.length;
      const refused = await refusedUpgrade(`${t.wsUrl}/firehose`, {
        origin: 'https://evil.example',
        headers: { authorization: 'Bearer token-ann' },
      });
      expect(refused).toEqual({
        status: 403,
        body: "Origin https://evil.example may not open this WebSocket: it is not the app's own origin, nor in allowedOrigins.",
      });
      // Without a token the guard would answer 401: a 403 shows the origin check came first.
      expect(await refusedUpgrade(`${t.wsUrl}/firehose`, { origin: 'https://evil.example' })).toEqual({
        status: 403,
        body: "Origin https://evil.example may not open this WebSocket: it is not the app's own origin, nor in allowedOrigins.",
      });
      expect(guardRuns.length).toBe(runs);
      // The same guard does run once the origin is allowed.
      expect((await refusedUpgrade(`${t.wsUrl}/firehose`, { origin })).status).toBe(401);
      expect(guardRuns.slice(runs)).toEqual([origin]);
    });
  });

  describe('per subscribe', () => {
    const connectAs = (token: string) =>
      openWs(`${t.wsUrl}/firehose`, { origin: 'https://app.example', headers: { authorization: `Bearer ${token}` } }).then((client) => {
        open.push(client);
        return client;
      });

    it('delivers the allowed subset only, replay included, and names the refused streams in an error frame', async () => {
      const first = await t.firehose.broadcast('public', 'p1');
      await t.firehose.broadcast('private:a', 'x1');
      await t.firehose.broadcast('user:ann', 'a1');
      await t.firehose.broadcast('user:bob', 'b1');
      const client = await connectAs('token-ann');
      client.send({ command: 'subscribe', streams: ['public', 'private:a', 'user:ann', 'user:bob'], last_event_id: first.id - 1 });
      await client.waitForControl('subscribed');
      await t.firehose.broadcast('private:a', 'x2');
      await t.firehose.broadcast('user:bob', 'b2');
      await t.firehose.broadcast('user:ann', 'a2');
      await t.firehose.broadcast('public', 'p2');
      // A last allowed event: anything refused or repeated would have been sent before it.
      await t.firehose.broadcast('public', 'p3');
      await client.waitForEvents(5);
      expect(client.frames[0]).toEqual({
        type: 'error',
        code: 'unauthorized',
        message: 'These streams may not be read by this connection: private:a, user:bob.',
        streams: ['private:a', 'user:bob'],
      });
      expect(client.control('subscribed')).toEqual([{ type: 'subscribed', streams: ['public', 'user:ann'] }]);
      expect(client.events().map((frame) => frame.data)).toEqual(['p1', 'a1', 'a2', 'p2', 'p3']);
      const context = authorizer().seen.at(-1)!;
      expect(context.transport).toBe('ws');
      expect(context.request.user).toEqual({ name: 'ann' });
    });

    it('answers with an error frame only when every stream is refused, and the connection stays usable', async () => {
      const client = await connectAs('token-bob');
      client.send({ command: 'subscribe', streams: ['private:b', 'user:ann'] });
      const [error] = await client.waitForControl('error');
      expect(error).toMatchObject({ code: 'unauthorized', streams: ['private:b', 'user:ann'] });
      client.send({ command: 'subscribe', streams: ['user:bob'] });
      await client.waitForControl('subscribed');
      expect(client.control('subscribed')).toEqual([{ type: 'subscribed', streams: ['user:bob'] }]);
    });

    it('shapes events per connection with buildEvent, and skips those it returns null for', async () => {
      const client = await connectAs('token-ann');
      client.send({ command: 'subscribe', streams: ['shaped'] });
      await client.waitForControl('subscribed');
      const skipped = await t.firehose.broadcast('shaped', { secret: true });
      const shown = await t.firehose.broadcast('shaped', { n: 1 });
      const last = await t.firehose.broadcast('shaped', { n: 2 });
      await client.waitForEvents(2);
      expect(client.texts.filter((text) => !text.includes('"type"'))[0]).toBe(
        `{"id":${shown.id},"stream":"shaped","data":{"n":1,"viewer":"ann"},"sequence":${shown.sequence},"channel_id":${shown.streamId}}`,
      );
      expect(client.events().map((frame) => frame.id)).toEqual([shown.id, last.id]);
      expect(skipped.id).toBeLessThan(shown.id);
    });
  });

  it('refuses every stream without an authorizer (deny by default), saying how to configure one', async () => {
    const replayable = await bare.firehose.broadcast('public', 'before');
    const client = await connect(undefined, bare.wsUrl);
    // With a cursor: a subscription, had it been made, would replay `before` at once.
    client.send({ command: 'subscribe', streams: ['public'], last_event_id: replayable.id - 1 });
    const [error] = await client.waitForControl('error');
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/no FirehoseAuthorizer is configured.*Pass `authorizer` to FirehoseModule\.forRoot\(\)/);
    // A live event: once this process's own stream of `public` has it, the hub has handed it to
    // every subscriber; a command answered after that shows the socket was sent nothing before.
    const seenHere = await collectLive(bare.firehose, 'public', 1);
    await bare.firehose.broadcast('public', 'unseen');
    await seenHere.done;
    client.send({ command: 'unsubscribe', streams: ['public'] });
    await client.waitForControl('unsubscribed');
    expect(client.events()).toEqual([]);
    expect(client.control('subscribed')).toEqual([]);
  });

  it('accepts guards listed in forRootAsync registrations too', async () => {
    const asyncApp = await createFirehoseHttpApp({
      url: db.url,
      imports: [UsersModule],
      firehoseModule: FirehoseModule.forRootAsync({ guards: [BearerTokenGuard], authorizer: TestAuthorizer, useFactory: () => ({}) }),
    });
    try {
      expect((await refusedUpgrade(`${asyncApp.wsUrl}/firehose`)).status).toBe(401);
      const client = await connect('token-ann', asyncApp.wsUrl);
      client.send({ command: 'subscribe', streams: ['user:ann'] });
      await client.waitForControl('subscribed');
    } finally {
      for (const client of open.splice(0)) client.close();
      await asyncApp.close();
    }
  });
});
