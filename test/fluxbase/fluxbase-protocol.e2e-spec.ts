import type { FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { sleep, waitFor } from '../utils/collect.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs, type WsFrame, type WsTestClient } from '../utils/ws-client.js';
import { createFluxbaseApp, signer } from './fluxbase-fixtures.js';

/** Fluxbase's realtime protocol, message by message, as its documentation prints each one. */
describe('Fluxbase realtime protocol', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;
  const open: WsTestClient[] = [];

  const connect = async (query = '') => {
    const client = await openWs(`${t.wsUrl}/realtime${query}`);
    open.push(client);
    return client;
  };
  const of = (client: WsTestClient, type: string) => client.frames.filter((frame) => frame.type === type);
  const subscribe = async (client: WsTestClient, channel: string, extra: Record<string, unknown> = {}) => {
    const acks = of(client, 'ack').length;
    client.send({ type: 'subscribe', channel, ...extra });
    await client.waitForControl('ack', acks + 1);
  };

  beforeAll(async () => {
    db = await createTestDatabase('fluxbase_protocol');
    t = await createFluxbaseApp(db.url, { fluxbase: { heartbeatInterval: 60_000 } });
    await db.query('CREATE TABLE products (id int PRIMARY KEY, name text, price numeric)');
    await db.query('CREATE TABLE notes (id int PRIMARY KEY, text text, hidden boolean NOT NULL DEFAULT false, owner text)');
    await db.query(`SELECT enable_realtime('public', 'products')`);
    await db.query(`SELECT enable_realtime('public', 'notes')`);
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('acknowledges a subscribe with {"type":"ack","channel":…}', async () => {
    const client = await connect();
    await subscribe(client, 'table:public.products');
    expect(client.texts).toEqual(['{"type":"ack","channel":"table:public.products"}']);
  });

  it('broadcasts INSERT, UPDATE (with old_record) and DELETE with the payloads Fluxbase documents', async () => {
    const client = await connect();
    await subscribe(client, 'table:public.products');
    await db.query(`INSERT INTO products VALUES (123, 'New Product', 99.99)`);
    await db.query(`UPDATE products SET name = 'Updated Product', price = 149.99 WHERE id = 123`);
    await db.query('DELETE FROM products WHERE id = 123');
    const broadcasts = await client.waitForControl('broadcast', 3);
    const channel = 'table:public.products';
    const old = { id: 123, name: 'New Product', price: 99.99 };
    const updated = { id: 123, name: 'Updated Product', price: 149.99 };
    expect(broadcasts.map(({ type, channel, payload }) => ({ type, channel, payload }))).toEqual([
      { type: 'broadcast', channel, payload: { type: 'INSERT', table: 'products', schema: 'public', record: old } },
      { type: 'broadcast', channel, payload: { type: 'UPDATE', table: 'products', schema: 'public', record: updated, old_record: old } },
      { type: 'broadcast', channel, payload: { type: 'DELETE', table: 'products', schema: 'public', old_record: updated } },
    ]);
    // Beside Fluxbase's keys, each frame carries its event id, the resume cursor, ascending.
    expect(Object.keys(broadcasts[0])).toEqual(['type', 'channel', 'payload', 'id']);
    expect('record' in broadcasts[2].payload).toBe(false);
    expect('old_record' in broadcasts[0].payload).toBe(false);
    const ids = broadcasts.map((frame) => frame.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('delivers a FirehoseService.broadcast() to subscribers of that channel, its data as the payload', async () => {
    const client = await connect();
    await subscribe(client, 'some-channel');
    const event = await t.firehose.broadcast('some-channel', { event: 'cursor', x: 4, y: 2 });
    await t.firehose.broadcast('other-channel', 'not for this client');
    const last = await t.firehose.broadcast('some-channel', 'plain text');
    const [first, second] = await client.waitForControl('broadcast', 2);
    expect(first).toEqual({ type: 'broadcast', channel: 'some-channel', payload: { event: 'cursor', x: 4, y: 2 }, id: event.id });
    expect(second).toEqual({ type: 'broadcast', channel: 'some-channel', payload: 'plain text', id: last.id });
    expect(of(client, 'broadcast')).toHaveLength(2);
  });

  it('stops a channel on unsubscribe, answering {"type":"ack","channel":…,"unsubscribed":true}', async () => {
    const client = await connect();
    await subscribe(client, 'room');
    await subscribe(client, 'lobby');
    client.send({ type: 'unsubscribe', channel: 'room' });
    await client.waitForFrames((frame) => frame.unsubscribed === true);
    expect(client.texts.at(-1)).toBe('{"type":"ack","channel":"room","unsubscribed":true}');
    await t.firehose.broadcast('room', 'gone');
    await t.firehose.broadcast('lobby', 'still here');
    await client.waitForControl('broadcast', 1);
    expect(of(client, 'broadcast').map((frame) => frame.payload)).toEqual(['still here']);
    // Unsubscribing from a channel not subscribed to is answered the same way.
    client.send({ type: 'unsubscribe', channel: 'never' });
    await client.waitForFrames((frame) => frame.channel === 'never');
  });

  it('answers a repeated subscribe with another ack and never delivers an event twice', async () => {
    const client = await connect();
    await subscribe(client, 'twice');
    await subscribe(client, 'twice');
    await t.firehose.broadcast('twice', 1);
    await t.firehose.broadcast('twice', 2);
    await client.waitForControl('broadcast', 2);
    await sleep(100);
    expect(of(client, 'broadcast').map((frame) => frame.payload)).toEqual([1, 2]);
    expect(of(client, 'ack')).toHaveLength(2);
  });

  it('never sends a row the authorizer hides, on any operation', async () => {
    const ann = await connect(`?token=${await signer.signAsync({ sub: 'ann' })}`);
    const anonymous = await connect();
    await subscribe(ann, 'table:public.notes');
    await subscribe(anonymous, 'table:public.notes');
    await db.query(`INSERT INTO notes VALUES (1, 'public', false, NULL), (2, 'hidden', true, NULL), (3, 'ann only', false, 'ann')`);
    await db.query(`UPDATE notes SET text = text || '!'`);
    await db.query('DELETE FROM notes WHERE id IN (1, 2, 3)');
    await db.query(`INSERT INTO notes VALUES (4, 'last', false, NULL)`);
    const rows = (client: WsTestClient) =>
      of(client, 'broadcast').map((f) => `${f.payload.type} ${(f.payload.record ?? f.payload.old_record).text}`);
    await ann.waitForControl('broadcast', 7);
    await anonymous.waitForControl('broadcast', 4);
    expect(rows(ann)).toEqual([
      'INSERT public',
      'INSERT ann only',
      'UPDATE public!',
      'UPDATE ann only!',
      'DELETE public!',
      'DELETE ann only!',
      'INSERT last',
    ]);
    expect(rows(anonymous)).toEqual(['INSERT public', 'UPDATE public!', 'DELETE public!', 'INSERT last']);
  });

  it('answers bad input with {"type":"error","error":…} that says what to send, and keeps the connection', async () => {
    const client = await connect();
    const errorFor = async (message: unknown) => {
      const before = of(client, 'error').length;
      client.send(message);
      const errors = await client.waitForControl('error', before + 1);
      return errors[before];
    };
    const malformed = await errorFor('{"type":"subscribe",');
    expect(malformed).toEqual({ type: 'error', error: expect.stringMatching(/^The message is not JSON; send \{"type":"subscribe"/) });
    expect((await errorFor('[1,2]')).error).toMatch(/^The message is not a JSON object/);
    expect((await errorFor({ type: 'presence', channel: 'x' })).error).toMatch(
      /^Unknown message type "presence": this endpoint takes "subscribe", "unsubscribe" and "heartbeat"/,
    );
    expect((await errorFor({ channel: 'x' })).error).toMatch(/^Unknown message type "undefined"/);
    expect((await errorFor({ type: 'subscribe' })).error).toBe(
      '"subscribe" needs "channel", e.g. {"type":"subscribe","channel":"table:public.products"}.',
    );
    expect((await errorFor({ type: 'unsubscribe', channel: '' })).error).toMatch(/^"unsubscribe" needs "channel"/);
    expect(await errorFor({ type: 'subscribe', channel: 'table:products' })).toEqual({
      type: 'error',
      error: 'Invalid channel "table:products": a table channel is named table:<schema>.<table>, e.g. table:public.products.',
      channel: 'table:products',
    });
    expect((await errorFor({ type: 'subscribe', channel: 42 })).error).toBe('Invalid channel "42": expected a string, got number.');
    expect((await errorFor({ type: 'subscribe', channel: 'a\nb' })).error).toMatch(
      /^Invalid channel "a\\nb": it contains control characters/,
    );
    expect((await errorFor({ type: 'subscribe', channel: 'x'.repeat(300) })).error).toMatch(/longer than 255 UTF-8 bytes/);
    expect(await errorFor({ type: 'subscribe', channel: 'room', last_event_id: -1 })).toEqual({
      type: 'error',
      error: expect.stringMatching(/^Invalid last_event_id -1: expected the non-negative integer id/),
      channel: 'room',
    });
    expect(await errorFor({ type: 'subscribe', channel: 'private:payroll' })).toEqual({
      type: 'error',
      error: 'This connection may not read channel private:payroll; connect with a token (?token=…) that may.',
      channel: 'private:payroll',
    });
    expect(await errorFor({ type: 'subscribe', channel: 'user:bob' })).toMatchObject({ channel: 'user:bob' });
    // The connection goes on: a good subscribe still works, and nothing refused was subscribed.
    await subscribe(client, 'after-errors');
    await t.firehose.broadcast('private:payroll', 'secret');
    await t.firehose.broadcast('after-errors', 'ok');
    await client.waitForControl('broadcast', 1);
    expect(of(client, 'broadcast').map((frame) => frame.payload)).toEqual(['ok']);
    expect(client.isClosed).toBe(false);
  });

  it('counts connections and distinct channels at GET /api/realtime/stats', async () => {
    const stats = async () => (await (await fetch(`${t.baseUrl}/api/realtime/stats`)).json()) as { connections: number; channels: number };
    await waitFor(async () => (await stats()).connections === 0, 5000, 'no connection left');
    expect(await stats()).toEqual({ connections: 0, channels: 0 });
    const a = await connect();
    const b = await connect();
    await subscribe(a, 'table:public.products');
    await subscribe(a, 'room');
    await subscribe(b, 'room');
    expect(await stats()).toEqual({ connections: 2, channels: 2 });
    a.send({ type: 'unsubscribe', channel: 'room' });
    await a.waitForFrames((frame: WsFrame) => frame.unsubscribed === true);
    expect(await stats()).toEqual({ connections: 2, channels: 2 });
    b.close();
    await waitFor(async () => (await stats()).connections === 1, 5000, 'one connection');
    expect(await stats()).toEqual({ connections: 1, channels: 1 });
  });
});
