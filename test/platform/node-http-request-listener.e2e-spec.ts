import { Body, Controller, Injectable, Module, Post, Req, type INestApplication, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { interceptRequests } from '../../lib/platform/node-http-request-listener.js';

// Pins what Durable Streams relies on in Nest's HTTP adapter (Express): the app is served by the
// node:http server's 'request' listeners, already attached when onApplicationBootstrap runs, so a
// listener put in front of them sees a request before the framework's body parser and the
// framework still serves every other request as before.
@Controller('framework')
class EchoController {
  @Post()
  echo(@Body() body: unknown) {
    return { parsed: body };
  }

  @Post('unread')
  async unread(@Body() body: unknown, @Req() request: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return { parsed: body ?? null, raw: Buffer.concat(chunks).toString() };
  }
}

@Injectable()
class BootstrapProbe implements OnApplicationBootstrap {
  requestListenersAtBootstrap = -1;
  constructor(private readonly host: HttpAdapterHost) {}
  onApplicationBootstrap(): void {
    const server = this.host.httpAdapter.getHttpServer() as Server;
    this.requestListenersAtBootstrap = server.listeners('request').length;
  }
}

@Module({ controllers: [EchoController], providers: [BootstrapProbe] })
class ProbeAppModule {}

function rawEcho(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(Buffer.concat(chunks));
  });
}

describe('platform: a request listener in front of Nest (Express)', () => {
  let app: INestApplication;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    app = await NestFactory.create(ProbeAppModule, { logger: false, forceCloseConnections: true });
    await app.listen(0, '127.0.0.1');
    server = app.getHttpServer() as Server;
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (path: string, body: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it("finds the framework on the server's request listeners at onApplicationBootstrap", () => {
    expect(app.get(BootstrapProbe).requestListenersAtBootstrap).toBeGreaterThanOrEqual(1);
    expect(server.listeners('request').length).toBe(app.get(BootstrapProbe).requestListenersAtBootstrap);
  });

  it('sees matching requests byte for byte, before the body parser; the framework serves the rest; restore puts it back', async () => {
    const before = server.listeners('request');
    const restore = interceptRequests(server, (req, res) => {
      if (!req.url?.startsWith('/raw')) return false;
      rawEcho(req, res);
      return true;
    });
    try {
      const body = '{ "a" :  1 ,"b":[ ] }';
      const raw = await post('/raw/x?y=1', body);
      expect(raw.status).toBe(200);
      expect(await raw.text()).toBe(body);

      const framework = await post('/framework', body);
      expect(framework.status).toBe(201);
      expect(await framework.json()).toEqual({ parsed: { a: 1, b: [] } });
      expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
    } finally {
      restore();
    }
    expect(server.listeners('request')).toEqual(before);
    expect((await post('/raw/x', '{}')).status).toBe(404);
    expect((await post('/framework', '{"c":2}')).status).toBe(201);
  });

  // What the Durable Streams gate relies on: Express's body parser (body-parser 2) reads a request
  // only when its content-length or transfer-encoding header says it has a body. A request whose
  // framing headers are hidden reaches the route with its body unread, for the route to read.
  it('passes a request on with its body unread when its framing headers are hidden from the body parser', async () => {
    const restore = interceptRequests(server, (req) => {
      if (!req.url?.startsWith('/framework/unread')) return false;
      delete req.headers['content-length'];
      delete req.headers['transfer-encoding'];
      return false;
    });
    try {
      const body = '{ "a" :  1 }';
      const unread = await post('/framework/unread', body);
      expect(unread.status).toBe(201);
      expect(await unread.json()).toEqual({ parsed: null, raw: body });
      // Others are parsed as before.
      expect(await (await post('/framework', body)).json()).toEqual({ parsed: { a: 1 } });
    } finally {
      restore();
    }
  });
});
