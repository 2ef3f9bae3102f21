import { Inject, Injectable, Module, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { FirehoseModule, type FirehoseAuthorizer } from '../../lib/index.js';
import { FIREHOSE_AUTHORIZER } from '../../lib/firehose.constants.js';
import { waitFor } from '../utils/collect.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { openSse, type SseConnection } from '../utils/sse-client.js';
import { TestAuthorizer, UserDirectory, UsersModule } from '../utils/stream-auth-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/** The app's own authentication, as a JWT guard would do it: attaches request.user or refuses. */
@Injectable()
class BearerTokenGuard implements CanActivate {
  constructor(private readonly users: UserDirectory) {}
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest();
    const user = this.users.find(request.headers.authorization?.replace(/^Bearer /, ''));
    if (!user) return false;
    request.user = user;
    return true;
  }
}

/** A service of a module that is not global: reachable only through forRootAsync's imports. */
@Injectable()
class StreamPolicy {
  readonly open = new Set(['policy-open']);
}

@Module({ providers: [StreamPolicy], exports: [StreamPolicy] })
class PolicyModule {}

@Injectable()
class PolicyAuthorizer implements FirehoseAuthorizer {
  constructor(@Inject(StreamPolicy) private readonly policy: StreamPolicy) {}
  authorizeStreams(streams: string[]): string[] {
    return streams.filter((stream) => this.policy.open.has(stream));
  }
}

describe('SSE authorization', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  let bare: FirehoseHttpApp;
  const open: SseConnection[] = [];

  const connect = async (query: string, token?: string, base = t.baseUrl) => {
    const connection = await openSse(`${base}/firehose/sse?${query}`, token ? { authorization: `Bearer ${token}` } : {});
    open.push(connection);
    return connection;
  };
  const streamsOf = (connection: SseConnection) => connection.dataFrames().map((frame) => frame.event);

  beforeAll(async () => {
    db = await createTestDatabase('sse_auth');
    t = await createFirehoseHttpApp({
      url: db.url,
      imports: [UsersModule],
      firehose: { authorizer: TestAuthorizer, guards: [BearerTokenGuard] },
    });
    bare = await createFirehoseHttpApp({ url: db.url });
  });
  afterEach(() => {
    for (const connection of open.splice(0)) connection.close();
  });
  afterAll(async () => {
    await t?.close();
    await bare?.close();
    await db?.drop();
  });

  it('refuses every stream without an authorizer (deny by default), saying how to configure one', async () => {
    const sse = await connect('streams=public', undefined, bare.baseUrl);
    expect(sse.status).toBe(403);
    expect(sse.body.message).toMatch(/no FirehoseAuthorizer is configured.*Pass `authorizer` to FirehoseModule\.forRoot\(\)/);
  });

  it('answers 403 when an app guard refuses, before the authorizer is asked', async () => {
    const before = t.app.get<TestAuthorizer>(FIREHOSE_AUTHORIZER).seen.length;
    const sse = await connect('streams=public');
    expect(sse.status).toBe(403);
    const wrong = await connect('streams=public', 'token-nobody');
    expect(wrong.status).toBe(403);
    expect(t.app.get<TestAuthorizer>(FIREHOSE_AUTHORIZER).seen.length).toBe(before);
  });

  it('answers 403 when every requested stream is refused', async () => {
    const sse = await connect('streams=private:a,user:bob', 'token-ann');
    expect(sse.status).toBe(403);
    expect(sse.body.message).toMatch(/None of the requested streams may be read by this connection: private:a, user:bob/);
  });

  it('serves the allowed subset only, replay included, using the user the app guard attached', async () => {
    const first = await t.firehose.broadcast('public', 'p1');
    await t.firehose.broadcast('private:a', 'x1');
    await t.firehose.broadcast('user:ann', 'a1');
    await t.firehose.broadcast('user:bob', 'b1');
    const sse = await connect(`streams=public,private:a,user:ann,user:bob&last_event_id=${first.id - 1}`, 'token-ann');
    expect(sse.status).toBe(200);
    await sse.waitForDataFrames(2);
    await t.firehose.broadcast('private:a', 'x2');
    await t.firehose.broadcast('user:bob', 'b2');
    await t.firehose.broadcast('user:ann', 'a2');
    await t.firehose.broadcast('public', 'p2');
    // A last allowed event: anything refused would have been sent before it.
    await t.firehose.broadcast('public', 'p3');
    await sse.waitForDataFrames(5);
    expect(streamsOf(sse)).toEqual(['public', 'user:ann', 'user:ann', 'public', 'public']);
    expect(sse.dataFrames().map((frame) => JSON.parse(frame.data!).data)).toEqual(['p1', 'a1', 'a2', 'p2', 'p3']);
    const context = t.app.get<TestAuthorizer>(FIREHOSE_AUTHORIZER).seen.at(-1)!;
    expect(context.transport).toBe('sse');
    expect(context.request.user).toEqual({ name: 'ann' });
  });

  it('applies buildEvent per connection: a reshaped event, and null skips it', async () => {
    // From the log's newest id: every later event is delivered, whatever the connection timing.
    const from = Number((await db.query('SELECT coalesce(max(id), 0) AS id FROM firehose_messages'))[0].id);
    const ann = await connect(`streams=shaped&last_event_id=${from}`, 'token-ann');
    const bob = await connect(`streams=shaped&last_event_id=${from}`, 'token-bob');
    const shown = await t.firehose.broadcast('shaped', { n: 1 });
    await t.firehose.broadcast('shaped', { n: 2, secret: true });
    const last = await t.firehose.broadcast('shaped', { n: 3 });
    for (const [sse, name] of [
      [ann, 'ann'],
      [bob, 'bob'],
    ] as const) {
      // `last` came after the skipped one: once it is here, the skipped one was not sent.
      const frames = await sse.waitForDataFrames(2);
      expect(sse.dataFrames()).toHaveLength(2);
      expect(frames.map((frame) => Number(frame.id))).toEqual([shown.id, last.id]);
      expect(frames.map((frame) => JSON.parse(frame.data!))).toEqual([
        { data: { n: 1, viewer: name }, channel_id: shown.streamId, sequence: 1 },
        { data: { n: 3, viewer: name }, channel_id: last.streamId, sequence: 3 },
      ]);
    }
  });

  it('takes path and authorizer as extras of forRootAsync, with the authorizer injecting from its imports', async () => {
    const custom = await createFirehoseHttpApp({
      url: db.url,
      firehoseModule: FirehoseModule.forRootAsync({
        imports: [PolicyModule],
        path: '/live',
        authorizer: PolicyAuthorizer,
        useFactory: async () => ({ sseRetry: 500 }),
      }),
    });
    try {
      // Not at the default path any more.
      expect((await connect('streams=policy-open', undefined, custom.baseUrl)).status).toBe(404);
      const from = Number((await db.query('SELECT coalesce(max(id), 0) AS id FROM firehose_messages'))[0].id);
      const served = await openSse(`${custom.baseUrl}/live/sse?streams=policy-open,policy-closed&last_event_id=${from}`);
      open.push(served);
      expect(served.status).toBe(200);
      await waitFor(() => served.frames.length > 0, 5000, 'the opening frame');
      expect(served.frames[0].retry).toBe(500);
      // The refused stream's event comes first: once the allowed one is here, it was not sent.
      await custom.firehose.broadcast('policy-closed', 1);
      const event = await custom.firehose.broadcast('policy-open', 2);
      const [frame] = await served.waitForDataFrames(1);
      expect(served.dataFrames()).toHaveLength(1);
      expect(frame.id).toBe(String(event.id));
    } finally {
      for (const connection of open.splice(0)) connection.close();
      await custom.close();
    }
  });
});
