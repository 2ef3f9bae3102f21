import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, WebSocketServer } from 'ws';
import { upgradeSocket } from '../../lib/platform/ws-upgrade-socket.js';

describe('platform/ws-upgrade-socket: ws writes frames to the upgrade request socket', () => {
  it('holds every frame while that socket is corked and sends them whole, in order, once uncorked', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    const connected = once(server, 'connection') as Promise<[WebSocket, IncomingMessage]>;
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const received: string[] = [];
    client.on('message', (data) => received.push(String(data)));
    await once(client, 'open');
    const [socket, request] = await connected;
    try {
      const net = upgradeSocket(request);
      net.cork();
      socket.send('a');
      socket.send(Buffer.from('b'), { binary: false });
      // Nothing may reach the kernel while corked: ws adds its own cork level per frame.
      expect(net.writableLength).toBeGreaterThan(0);
      await sleep(50);
      expect(received).toEqual([]);
      net.uncork();
      while (received.length < 2) await sleep(5);
      expect(received).toEqual(['a', 'b']);
    } finally {
      client.terminate();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
