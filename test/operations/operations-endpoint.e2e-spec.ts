import { Controller, Get, Injectable, type BeforeApplicationShutdown, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import type { IncomingMessage } from 'node:http';
import {
  AllowAllStreamsAuthorizer,
  FirehoseHealthIndicator,
  FirehoseOperationsModule,
  FirehoseOperationsService,
  type FirehoseOperationsReport,
} from '../../lib/index.js';
import { collectLive, sleep, waitFor } from '../utils/collect.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { openSse } from '../utils/sse-client.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs, refusedUpgradeResponse } from '../utils/ws-client.js';

/** The endpoint's own guard: a token in a header. */
@Injectable()
class OpsTokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<IncomingMessage>().headers['x-ops-token'] === 'secret';
  }
}

/** An app-wide guard: refuses any request that says `x-blocked`. */
@Injectable()
class GlobalBlockGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<IncomingMessage>().headers['x-blocked'] === undefined;
  }
}

/** The terminus way: a readiness route built from the module's indicator. */
@Controller('ready')
class ReadinessController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly firehose: FirehoseHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  ready() {
    return this.health.check([() => this.firehose.isHealthy()]);
  }
}

/** Holds the shutdown open for a moment, as in-flight work would, so the drain can be seen from outside. */
@Injectable()
class SlowShutdown implements BeforeApplicationShutdown {
  static hold = 0;
  async beforeApplicationShutdown(): Promise<void> {
    await sleep(SlowShutdown.hold);
  }
}

async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

describe('operations endpoint', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;

  beforeAll(async () => {
    db = await createTestDatabase('ops_endpoint');
    t = await createFirehoseHttpApp({
      url: db.url,
      firehose: { authorizer: AllowAllStreamsAuthorizer },
      imports: [FirehoseOperationsModule.forRoot({ guards: [OpsTokenGuard], queueWatchInterval: 0 }), TerminusModule],
      controllers: [ReadinessController],
      providers: [{ provide: APP_GUARD, useClass: GlobalBlockGuard }],
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const ops = (headers: Record<string, string> = {}) => getJson(`${t.baseUrl}/healthz`, { 'x-ops-token': 'secret', ...headers });

  it('runs the module guards and the app global guards', async () => {
    expect((await getJson(`${t.baseUrl}/healthz`)).status).toBe(403);
    expect((await ops({ 'x-blocked': '1' })).status).toBe(403);
    const { status, headers } = await ops();
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
  });

  it('reports connections by transport, subscribers, deliveries per stream and in total', async () => {
    const ws = await openWs(`${t.wsUrl}/firehose`);
    ws.send({ command: 'subscribe', streams: ['ops:a', 'ops:b'] });
    await ws.waitForControl('subscribed');
    const sse = await openSse(`${t.baseUrl}/firehose/sse?streams=ops:a`);
    const local = await collectLive(t.firehose, 'ops:a', 3);
    await waitFor(async () => (await ops()).body.connections.sse === 1, 5000, 'the SSE connection counted');

    const before = (await ops()).body as FirehoseOperationsReport;
    for (let i = 0; i < 3; i++) await t.firehose.broadcast('ops:a', { i });
    await t.firehose.broadcast('ops:b', { i: 0 });
    await ws.waitForEvents(4);
    await sse.waitForDataFrames(3);
    await local.done;

    const report = (await ops()).body as FirehoseOperationsReport;
    expect(report).toMatchObject({
      status: 'ok',
      draining: false,
      listener: { state: 'connected', reconnects: 0 },
      notifyQueue: null,
      connections: { total: 2, websocket: 1, sse: 1 },
      instance: { pid: process.pid },
    });
    // The local subscriber left once it had its three events; what it received stays counted.
    expect(report.streams['ops:a']).toEqual({ subscribers: 2, delivered: 9, dropped: 0 });
    expect(report.streams['ops:b']).toEqual({ subscribers: 1, delivered: 1, dropped: 0 });
    expect(report.totals.broadcasts - before.totals.broadcasts).toBe(4);
    expect(report.transports.websocket.delivered - before.transports.websocket.delivered).toBe(4);
    expect(report.transports.sse.delivered - before.transports.sse.delivered).toBe(3);
    expect(report.transports.local.delivered - before.transports.local.delivered).toBe(3);
    expect(report.totals.delivered - before.totals.delivered).toBe(10);

    // The same figures in code, from the service and from FirehoseService.
    expect(t.app.get(FirehoseOperationsService).report().streams['ops:a'].delivered).toBe(9);
    expect(t.firehose.stats().streams['ops:b'].subscribers).toBe(1);

    // Subscribers that leave are no longer counted.
    ws.close();
    sse.close();
    await waitFor(async () => (await ops()).body.connections.total === 0, 5000, 'the connections to close');
    const after = (await ops()).body as FirehoseOperationsReport;
    expect(after.streams['ops:b']).toBeUndefined();
    expect(after.transports.websocket.subscribers).toBe(0);
  });

  it('counts rows replayed to a subscriber that resumes', async () => {
    const first = await t.firehose.broadcast('ops:replay', { n: 1 });
    await t.firehose.broadcast('ops:replay', { n: 2 });
    const before = t.firehose.stats().totals.replayedRows;
    const sse = await openSse(`${t.baseUrl}/firehose/sse?streams=ops:replay`, { 'last-event-id': String(first.id - 1) });
    await sse.waitForDataFrames(2);
    expect(t.firehose.stats().totals.replayedRows - before).toBe(2);
    sse.close();
  });

  it('gives a @nestjs/terminus health check an indicator', async () => {
    const { status, body } = await getJson(`${t.baseUrl}/ready`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', info: { firehose: { status: 'up', listener: 'connected', draining: false } } });
  });
});

describe('operations endpoint while the app shuts down', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('ops_drain_http');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('answers 503 draining, and refuses new WebSocket and SSE connections with 503 and Retry-After', async () => {
    const t = await createFirehoseHttpApp({
      url: db.url,
      firehose: { authorizer: AllowAllStreamsAuthorizer },
      imports: [FirehoseOperationsModule.forRoot({ path: '/ops/status', queueWatchInterval: 0 })],
      providers: [SlowShutdown],
    });
    const open = await openWs(`${t.wsUrl}/firehose`);
    SlowShutdown.hold = 1500;
    const closing = t.close();
    // The HTTP server accepts until every shutdown hook has run: long enough to see the drain from outside.
    await sleep(200);

    const status = await getJson(`${t.baseUrl}/ops/status`);
    expect(status.status).toBe(503);
    expect(status.body).toMatchObject({ status: 'draining', draining: true });
    const ws = await refusedUpgradeResponse(`${t.wsUrl}/firehose`);
    expect(ws.status).toBe(503);
    expect(ws.headers['retry-after']).toBe('1');
    expect(ws.body).toContain('shutting down');
    const sse = await openSse(`${t.baseUrl}/firehose/sse?streams=late`);
    expect(sse.status).toBe(503);
    expect(sse.headers['retry-after']).toBe('1');
    expect((await open.closed).code).toBe(1001);
    await closing;
  });
});
