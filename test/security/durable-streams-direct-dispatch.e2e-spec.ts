import {
  Catch,
  HttpException,
  Injectable,
  Module,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type MiddlewareConsumer,
  type NestInterceptor,
  type NestModule,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DurableStreamsAccessContext, type DurableStreamsAuthorizer, type DurableStreamsOptions } from '../../lib/index.js';
import { createFirehoseHttpApp, type FirehoseHttpApp, type FirehoseHttpAppOptions } from '../utils/create-firehose-http-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/** Streams under `open/` for everyone; any other stream is refused. */
@Injectable()
class OpenPrefixAuthorizer implements DurableStreamsAuthorizer {
  authorize(context: DurableStreamsAccessContext): boolean {
    return context.stream.startsWith('open/');
  }
}

const stamp = (name: string) => (_req: IncomingMessage, res: ServerResponse, next: () => void) => {
  res.setHeader(`x-${name}`, 'yes');
  next();
};

@Injectable()
class StampGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    context.switchToHttp().getResponse<ServerResponse>().setHeader('x-guard', 'yes');
    return true;
  }
}

@Injectable()
class StampInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    context.switchToHttp().getResponse<ServerResponse>().setHeader('x-interceptor', 'yes');
    return next.handle();
  }
}

@Catch(HttpException)
class TeapotFilter implements ExceptionFilter {
  catch(_exception: HttpException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<ServerResponse>();
    response.writeHead(418, { 'content-type': 'text/plain' });
    response.end('filtered');
  }
}

/** Middleware applied the Nest way, through a module's MiddlewareConsumer. */
@Module({})
class ConsumerMiddlewareModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(stamp('consumer')).forRoutes('*path');
  }
}

describe('Durable Streams requests skip the framework only when the app would run nothing on them', () => {
  let db: TestDatabase;
  const apps: FirehoseHttpApp[] = [];
  const start = async (extra: Partial<FirehoseHttpAppOptions> = {}, durableStreams: DurableStreamsOptions = {}) => {
    const app = await createFirehoseHttpApp({
      url: db.url,
      durableStreams: { longPollTimeout: 500, authorizer: OpenPrefixAuthorizer, ...durableStreams },
      logger: ['error'],
      ...extra,
    });
    apps.push(app);
    return `${app.baseUrl}/v1/stream`;
  };
  let streams = 0;
  const put = (base: string, prefix = 'open') =>
    fetch(`${base}/${prefix}/s${++streams}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '[1]' });

  beforeAll(async () => {
    db = await createTestDatabase('ds_direct_dispatch');
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  it('serves a plain app from the gate, with the refusals Nest would give', async () => {
    const base = await start();
    const created = await put(base);
    expect(created.status).toBe(201);
    // Express stamps what it serves; the gate does not.
    expect(created.headers.get('x-powered-by')).toBeNull();
    const append = await fetch(`${base}/open/s${streams}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[2]',
    });
    expect(append.status).toBe(204);
    expect(await (await fetch(`${base}/open/s${streams}?offset=-1`)).json()).toEqual([1, 2]);
    const refused = await put(base, 'closed');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await refused.json()).toEqual({
      statusCode: 403,
      message: expect.stringMatching(/may not create the stream "closed\//),
      error: 'Forbidden',
    });
  });

  it.each<[string, Partial<FirehoseHttpAppOptions>, DurableStreamsOptions, string]>([
    ['middleware from app.use()', { configure: (app) => app.use(stamp('middleware')) }, {}, 'x-middleware'],
    ["middleware from a module's MiddlewareConsumer", { imports: [ConsumerMiddlewareModule] }, {}, 'x-consumer'],
    ['a guard of the module', {}, { guards: [StampGuard] }, 'x-guard'],
    ['a global guard (useGlobalGuards)', { configure: (app) => app.useGlobalGuards(new StampGuard()) }, {}, 'x-guard'],
    ['a global guard (APP_GUARD)', { providers: [{ provide: APP_GUARD, useClass: StampGuard }] }, {}, 'x-guard'],
    [
      'a global interceptor (useGlobalInterceptors)',
      { configure: (app) => app.useGlobalInterceptors(new StampInterceptor()) },
      {},
      'x-interceptor',
    ],
    [
      'a global interceptor (APP_INTERCEPTOR)',
      { providers: [{ provide: APP_INTERCEPTOR, useClass: StampInterceptor }] },
      {},
      'x-interceptor',
    ],
  ])('runs %s', async (_what, extra, durableStreams, header) => {
    const base = await start(extra, durableStreams);
    const created = await put(base);
    expect(created.status).toBe(201);
    expect(created.headers.get(header)).toBe('yes');
  });

  it.each<[string, Partial<FirehoseHttpAppOptions>]>([
    ['useGlobalFilters', { configure: (app) => app.useGlobalFilters(new TeapotFilter()) }],
    ['APP_FILTER', { providers: [{ provide: APP_FILTER, useClass: TeapotFilter }] }],
  ])('lets a global exception filter (%s) answer a refusal', async (_how, extra) => {
    const base = await start(extra);
    const refused = await put(base, 'closed');
    expect(refused.status).toBe(418);
    expect(await refused.text()).toBe('filtered');
  });

  it('serves only the form of the base path the route has under a global prefix', async () => {
    const base = await start({ configure: (app) => app.setGlobalPrefix('api') });
    const prefixed = base.replace('/v1/stream', '/api/v1/stream');
    expect((await put(prefixed)).status).toBe(201);
    expect((await put(base)).status).toBe(404);
  });
});
