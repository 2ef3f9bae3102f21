import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { AppModule } from '../../sample/app.module.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs, refusedUpgrade, type WsTestClient } from '../utils/ws-client.js';

/** The sample app as `npm start` runs it: its Fluxbase endpoint with the JWT guard. */
describe('sample RealtimeModule (Fluxbase endpoint with a JWT guard)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  const open: WsTestClient[] = [];

  const connect = async (query = '') => {
    const client = await openWs(`${base.replace(/^http/, 'ws')}/realtime${query}`);
    open.push(client);
    return client;
  };
  const tokenFor = async (user: string) => {
    const response = await fetch(`${base}/api/realtime/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { token: string }).token;
  };

  beforeAll(async () => {
    db = await createTestDatabase('sample_realtime');
    app = await NestFactory.create(AppModule.forDatabase(db.url), {
      logger: ['error', 'warn'],
      abortOnError: false,
      forceCloseConnections: true,
    });
    app.useWebSocketAdapter(new WsAdapter(app));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it("streams the products table's changes to an anonymous Fluxbase client", async () => {
    const client = await connect();
    client.send({ type: 'subscribe', channel: 'table:public.sample_products' });
    await client.waitForControl('ack');
    const created = await fetch(`${base}/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Lamp', price: 12.5 }),
    });
    expect(created.status).toBe(201);
    const [frame] = await client.waitForControl('broadcast');
    expect(frame).toMatchObject({
      channel: 'table:public.sample_products',
      payload: { type: 'INSERT', schema: 'public', table: 'sample_products', record: { name: 'Lamp' } },
    });
    expect(await (await fetch(`${base}/api/realtime/stats`)).json()).toEqual({ connections: 1, channels: 1 });
  });

  it("gives user:<name> to that user's token only, and refuses a bad token at the upgrade", async () => {
    const ann = await connect(`?token=${await tokenFor('ann')}`);
    ann.send({ type: 'subscribe', channel: 'user:ann' });
    expect((await ann.waitForFrames(() => true))[0]).toEqual({ type: 'ack', channel: 'user:ann' });
    const anonymous = await connect();
    anonymous.send({ type: 'subscribe', channel: 'user:ann' });
    expect((await anonymous.waitForFrames(() => true))[0]).toMatchObject({ type: 'error', channel: 'user:ann' });
    const refused = await refusedUpgrade(`${base.replace(/^http/, 'ws')}/realtime?token=forged`);
    expect(refused.status).toBe(401);
    expect((await fetch(`${base}/api/realtime/stats?token=forged`)).status).toBe(401);
  });
});
