import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { releaseAdapterBindings } from '../../lib/platform/ws-adapter-bindings.js';

const counts: Array<{ own: number; bound: number; released: number }> = [];
const listeners = (client: WebSocket) => client.listenerCount('message') + client.listenerCount('close');

@WebSocketGateway({ path: '/platform' })
class ProbeGateway implements OnGatewayConnection<WebSocket> {
  handleConnection(client: WebSocket): void {
    const entry = { own: listeners(client), bound: -1, released: -1 };
    counts.push(entry);
    // Queued before the release's microtask, so it sees what the adapter bound in the same turn.
    queueMicrotask(() => (entry.bound = listeners(client)));
    releaseAdapterBindings(client);
    setImmediate(() => (entry.released = listeners(client)));
  }
}

@Module({ providers: [ProbeGateway] })
class ProbeModule {}

describe('platform/ws-adapter-bindings: Nest binds a client synchronously after handleConnection', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await NestFactory.create(ProbeModule, { logger: false });
    app.useWebSocketAdapter(new WsAdapter(app));
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
  });

  it('adds message and close listeners in the same turn, and only those are released', async () => {
    const { port } = app.getHttpServer().address() as AddressInfo;
    const client = new WebSocket(`ws://127.0.0.1:${port}/platform`);
    await once(client, 'open');
    while (counts.length === 0 || counts[0].released < 0) await sleep(5);
    client.close();
    const [{ own, bound, released }] = counts;
    expect(bound).toBeGreaterThan(own);
    expect(released).toBe(own);
  });
});
