import type { IncomingMessage } from 'node:http';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { isTableChangeEvent, type FirehoseAuthorizer, type FirehoseConnectionContext, type FirehoseEvent } from '../../lib/index.js';
import { waitFor } from '../utils/collect.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { openSse } from '../utils/sse-client.js';
import { UserDirectory, UsersModule } from '../utils/stream-auth-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs, type WsTestClient } from '../utils/ws-client.js';

@Injectable()
class BearerTokenGuard implements CanActivate {
  constructor(private readonly users: UserDirectory) {}
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest();
    request.user = this.users.find(request.headers.authorization?.replace(/^Bearer /, ''));
    return Boolean(request.user);
  }
}

/** The notes table's stream for everyone signed in; each row only for its owner, DELETE included. */
@Injectable()
class NoteOwnerAuthorizer implements FirehoseAuthorizer<IncomingMessage & { user: { name: string } }> {
  authorizeStreams(streams: string[]): string[] {
    return streams.filter((stream) => stream === 'table:public.notes');
  }
  buildEvent(event: FirehoseEvent, context: FirehoseConnectionContext<IncomingMessage & { user: { name: string } }>): FirehoseEvent | null {
    if (!isTableChangeEvent<{ owner: string }>(event)) return null;
    const me = context.request.user.name;
    return event.data.record?.owner === me || event.data.old_record?.owner === me ? event : null;
  }
}

describe('table change feeds through the transports, authorized per row', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  const open: WsTestClient[] = [];

  const connectAs = async (token: string) => {
    const client = await openWs(`${t.wsUrl}/firehose`, { headers: { authorization: `Bearer ${token}` } });
    open.push(client);
    return client;
  };
  const summary = (frames: Array<Record<string, any>>) =>
    frames.map((f) => `${f.data.type} ${(f.data.record ?? f.data.old_record).id} ${(f.data.record ?? f.data.old_record).text}`);

  beforeAll(async () => {
    db = await createTestDatabase('change_feed_auth');
    t = await createFirehoseHttpApp({
      url: db.url,
      imports: [UsersModule],
      changeFeeds: true,
      firehose: { authorizer: NoteOwnerAuthorizer, guards: [BearerTokenGuard] },
    });
    await db.query('CREATE TABLE notes (id int PRIMARY KEY, owner text NOT NULL, text text)');
    await t.changeFeeds.enable('public', 'notes');
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('sends each connection only the rows its authorizer allows, DELETE included (WebSocket)', async () => {
    const ann = await connectAs('token-ann');
    const bob = await connectAs('token-bob');
    for (const client of [ann, bob]) {
      client.send({ command: 'subscribe', streams: ['table:public.notes'] });
      await client.waitForControl('subscribed');
    }
    await db.query(`INSERT INTO notes VALUES (1, 'ann', 'a'), (2, 'bob', 'b')`);
    await db.query(`UPDATE notes SET text = upper(text)`);
    await db.query('DELETE FROM notes');
    // A last row for each: the other's rows, had they been sent, would have come before it.
    await db.query(`INSERT INTO notes VALUES (3, 'ann', 'z'), (4, 'bob', 'z')`);
    await ann.waitForEvents(4);
    await bob.waitForEvents(4);
    expect(summary(ann.events())).toEqual(['INSERT 1 a', 'UPDATE 1 A', 'DELETE 1 A', 'INSERT 3 z']);
    expect(summary(bob.events())).toEqual(['INSERT 2 b', 'UPDATE 2 B', 'DELETE 2 B', 'INSERT 4 z']);
    expect(ann.events()[0]).toMatchObject({ stream: 'table:public.notes', data: { type: 'INSERT', schema: 'public', table: 'notes' } });
  });

  it('replays the changes a client missed after it reconnects with last_event_id, still per row', async () => {
    const first = await connectAs('token-ann');
    first.send({ command: 'subscribe', streams: ['table:public.notes'] });
    await first.waitForControl('subscribed');
    await db.query(`INSERT INTO notes VALUES (10, 'ann', 'seen')`);
    const [seen] = await first.waitForEvents(1);
    first.close();
    await first.closed;

    await db.query(`INSERT INTO notes VALUES (11, 'ann', 'missed'), (12, 'bob', 'not hers')`);
    await db.query(`DELETE FROM notes WHERE id IN (10, 12)`);

    const again = await connectAs('token-ann');
    again.send({ command: 'subscribe', streams: ['table:public.notes'], last_event_id: seen.id });
    await again.waitForEvents(2);
    await db.query(`UPDATE notes SET text = 'live' WHERE id = 11`);
    await db.query(`INSERT INTO notes VALUES (13, 'ann', 'last')`);
    await again.waitForEvents(4);
    expect(summary(again.events())).toEqual(['INSERT 11 missed', 'DELETE 10 seen', 'UPDATE 11 live', 'INSERT 13 last']);
    const ids = again.events().map((f) => f.id);
    expect(ids.every((id, i) => id > seen.id && (i === 0 || id > ids[i - 1]))).toBe(true);
  });

  it('replays over Server-Sent Events from Last-Event-ID with the same per-row decisions', async () => {
    // The id of the log's newest change about row `id`, once the relay has put it there.
    const logged = async (id: number, type: string) => {
      const sql = `SELECT max(id)::int AS id FROM firehose_messages WHERE data->>'type' = $2 AND coalesce(data->'record', data->'old_record')->>'id' = $1`;
      await waitFor(async () => (await db.query(sql, [String(id), type]))[0].id !== null, 10_000, `${type} of row ${id} in the log`);
      return (await db.query(sql, [String(id), type]))[0].id as number;
    };
    await db.query(`INSERT INTO notes VALUES (20, 'bob', 'b20')`);
    const max = await logged(20, 'INSERT');
    await db.query(`INSERT INTO notes VALUES (21, 'ann', 'a21'), (22, 'bob', 'b22')`);
    await db.query(`DELETE FROM notes WHERE id = 20`);
    // In the log before the client connects, so this is a replay.
    await logged(20, 'DELETE');
    const sse = await openSse(`${t.baseUrl}/firehose/sse?streams=table:public.notes`, {
      authorization: 'Bearer token-bob',
      'last-event-id': String(max),
    });
    try {
      expect(sse.status).toBe(200);
      await db.query(`INSERT INTO notes VALUES (23, 'ann', 'a23'), (24, 'bob', 'b24')`);
      const frames = await sse.waitForDataFrames(3);
      expect(summary(sse.dataFrames().map((f) => JSON.parse(f.data!)))).toEqual(['INSERT 22 b22', 'DELETE 20 b20', 'INSERT 24 b24']);
      expect(Number(frames[0].id)).toBeGreaterThan(max);
    } finally {
      sse.close();
    }
  });
});
