import { All, Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { middlewareBeforeRoute } from '../../lib/platform/express-middleware-stack.js';

@Controller('v1/stream')
class StreamRouteController {
  @All('*name')
  handle(): string {
    return 'route';
  }
}

@Controller()
class CatchAllController {
  @Get('*anything')
  handle(): string {
    return 'catch-all';
  }
}

async function appWith(
  controllers: Array<new () => unknown>,
  configure?: (app: NestExpressApplication) => void,
): Promise<INestApplication> {
  @Module({ controllers })
  class StackModule {}
  const app = await NestFactory.create<NestExpressApplication>(StackModule, { logger: false });
  configure?.(app);
  await app.init();
  return app;
}

describe("platform/express-middleware-stack: what Express runs before a route, read from Nest's adapter", () => {
  const apps: INestApplication[] = [];
  const read = async (controllers: Array<new () => unknown>, configure?: (app: NestExpressApplication) => void) => {
    const app = await appWith(controllers, configure);
    apps.push(app);
    return middlewareBeforeRoute(app.getHttpAdapter(), '/v1/stream/a', '/v1/stream/*name');
  };
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it("is empty for a plain app: Nest's inert hook layer and its body parsers run nothing on a body-less request", async () => {
    expect(await read([StreamRouteController])).toEqual([]);
  });

  it('names middleware the app added, and middleware an adapter hook adds', async () => {
    expect(
      await read([StreamRouteController], (app) =>
        app.use(function stamp(_q: unknown, _s: unknown, next: () => void) {
          next();
        }),
      ),
    ).toEqual(['stamp']);
    expect(await read([StreamRouteController], (app) => app.use((_q: unknown, _s: unknown, next: () => void) => next()))).toEqual([
      '<anonymous>',
    ]);
    const hooked = await read([StreamRouteController], (app) => {
      (app.getHttpAdapter() as unknown as { setOnRequestHook(hook: unknown): void }).setOnRequestHook(
        (_q: unknown, _s: unknown, done: () => void) => done(),
      );
    });
    expect(hooked).toEqual(['<anonymous>']);
  });

  it('is unknown when another route sees the request first, no route serves it, or the adapter is not Express', async () => {
    expect(await read([CatchAllController, StreamRouteController])).toBeUndefined();
    expect(await read([])).toBeUndefined();
    expect(middlewareBeforeRoute({ getInstance: () => ({}) }, '/v1/stream/a', '/v1/stream/*name')).toBeUndefined();
    expect(middlewareBeforeRoute(undefined, '/v1/stream/a', '/v1/stream/*name')).toBeUndefined();
  });
});
