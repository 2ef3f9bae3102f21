import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { expressRequestView } from '../../lib/platform/express-request-view.js';

@Module({})
class EmptyModule {}

describe("platform/express-request-view: a request served without Express reads as Express's", () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await NestFactory.create<NestExpressApplication>(EmptyModule, { logger: false });
    (app as NestExpressApplication).set('trust proxy', 'loopback');
    await app.init();
  });
  afterAll(() => app.close());

  it("gives the request the app's settings and Express's reading of the proxy headers", () => {
    const view = expressRequestView(app.getHttpAdapter())!;
    const socket = new Socket();
    Object.defineProperty(socket, 'remoteAddress', { value: '127.0.0.1' });
    const request = new IncomingMessage(socket);
    request.headers = { host: 'internal:3000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'example.com' };
    const response = new ServerResponse(request);
    view(request, response);
    const express = request as IncomingMessage & { protocol: string; host: string; app: { get(name: string): unknown }; res: unknown };
    expect(express.app.get('trust proxy')).toBe('loopback');
    expect([express.protocol, express.host]).toEqual(['https', 'example.com']);
    expect(express.res).toBe(response);
  });

  it('is undefined for an adapter that is not Express', () => {
    expect(expressRequestView({ getInstance: () => ({}) })).toBeUndefined();
    expect(expressRequestView(undefined)).toBeUndefined();
  });
});
