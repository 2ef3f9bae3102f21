import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { installVerifyClient } from '../../lib/platform/ws-verify-client.js';

describe('platform/ws-verify-client: ws reads options.verifyClient at every upgrade', () => {
  let server: WebSocketServer;
  let url: string;

  beforeEach(async () => {
    // Built without a check, as Nest builds the gateway's server; the check comes later.
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterEach(async () => {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  function upgrade(origin?: string): Promise<number> {
    const client = new WebSocket(url, { origin });
    return new Promise((resolve) => {
      client.once('open', () => {
        client.close();
        resolve(101);
      });
      client.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      client.once('error', () => undefined);
    });
  }

  it('refuses with the status of an asynchronous check installed after the server was built', async () => {
    installVerifyClient(
      server,
      async (_request, origin) => (origin === 'https://ok.example' ? undefined : { status: 403, message: 'no' }),
      () => undefined,
    );
    expect(await upgrade('https://ok.example')).toBe(101);
    expect(await upgrade('https://evil.example')).toBe(403);
  });

  it('refuses with 500 when the check fails', async () => {
    const errors: unknown[] = [];
    installVerifyClient(
      server,
      async () => Promise.reject(new Error('boom')),
      (error) => errors.push(error),
    );
    expect(await upgrade()).toBe(500);
    expect(errors).toHaveLength(1);
  });
});
