import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isChunkedResponse, LAST_CHUNK, releaseChunkedResponse } from '../../lib/platform/http-response-handoff.js';

describe('platform/http-response-handoff: a chunked response ends without its last chunk', () => {
  it('leaves the body open on the socket, which the caller goes on writing and ends', async () => {
    let released: { response: ServerResponse; socket: Socket } | undefined;
    const server = createServer({ keepAliveTimeout: 100 }, (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/event-stream' });
      response.write('first\n');
      const socket = response.socket!;
      expect(isChunkedResponse(response)).toBe(true);
      releaseChunkedResponse(response, socket);
      released = { response, socket };
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    let wire = '';
    client.on('data', (data) => (wire += data));
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    try {
      while (!released || !wire.includes('first')) await sleep(5);
      expect(released.response.writableEnded).toBe(true);
      // Past the keep-alive timeout: the socket must still be open, its timeout cleared.
      await sleep(300);
      expect(released.socket.destroyed).toBe(false);
      expect(wire).not.toContain(LAST_CHUNK);
      released.socket.write('7\r\nsecond\n\r\n');
      released.socket.end(LAST_CHUNK);
      await once(client, 'end');
      expect(wire).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Transfer-Encoding: chunked\r\n\r\n6\r\nfirst\n\r\n7\r\nsecond\n\r\n0\r\n\r\n$/);
    } finally {
      client.destroy();
      server.closeAllConnections();
      server.close();
    }
  });
});
