import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { AllowAllStreamsAuthorizer } from '../../lib/index.js';
import { sleep, waitFor } from '../utils/collect.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { openSse } from '../utils/sse-client.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs, refusedUpgradeResponse } from '../utils/ws-client.js';

const CAP_MESSAGE = 'This server holds as many connections as it may (maxConnections); retry in 5 s, or on another instance.';

/** Counts the requests that reached the app's guard, to show a refusal beyond the cap costs none. */
@Injectable()
class CountingGuard implements CanActivate {
  static calls = 0;
  canActivate(context: ExecutionContext): boolean {
    CountingGuard.calls++;
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    return !request.url?.includes('refuse=1');
  }
}

/** A flood of connections must not exhaust the process: maxConnections bounds WebSocket and SSE together. */
describe('connection cap', () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;

  beforeAll(async () => {
    db = await createTestDatabase('connection_cap');
    t = await createFirehoseHttpApp({
      url: db.url,
      firehose: { authorizer: AllowAllStreamsAuthorizer, guards: [CountingGuard], maxConnections: 2 },
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('refuses the connection beyond the cap with 503 and Retry-After, on either transport, before the guards', async () => {
    const ws = await openWs(`${t.wsUrl}/firehose`);
    const sse = await openSse(`${t.baseUrl}/firehose/sse?streams=cap`);
    expect(sse.status).toBe(200);
    const guardCalls = CountingGuard.calls;

    const refusedWs = await refusedUpgradeResponse(`${t.wsUrl}/firehose`);
    expect(refusedWs).toMatchObject({ status: 503, body: CAP_MESSAGE });
    expect(refusedWs.headers['retry-after']).toBe('5');
    const refusedSse = await openSse(`${t.baseUrl}/firehose/sse?streams=cap`);
    expect(refusedSse.status).toBe(503);
    expect(refusedSse.headers['retry-after']).toBe('5');
    expect(refusedSse.body.message).toBe(CAP_MESSAGE);
    // The WebSocket refusal runs no guard; the SSE route's guards run (Nest's order), but no authorizer or replay.
    expect(CountingGuard.calls - guardCalls).toBe(1);

    // A connection that ends gives its slot back, whichever transport takes it next.
    ws.close();
    const next = await whenSlotFree(() => openSse(`${t.baseUrl}/firehose/sse?streams=cap`).then((c) => (c.status === 200 ? c : undefined)));
    next.close();
    sse.close();
  });

  it('gives the slot of a refused upgrade back, so refusals never use the cap up', async () => {
    const first = await whenSlotFree(() => openWs(`${t.wsUrl}/firehose`).catch(() => undefined));
    first.close();
    const again = await whenSlotFree(() => openWs(`${t.wsUrl}/firehose`).catch(() => undefined));
    again.close();
    await sleep(100);
    for (let i = 0; i < 5; i++) {
      expect((await refusedUpgradeResponse(`${t.wsUrl}/firehose?refuse=1`)).status).toBe(403);
    }
    const a = await whenSlotFree(() => openWs(`${t.wsUrl}/firehose`).catch(() => undefined));
    const b = await openWs(`${t.wsUrl}/firehose`);
    a.close();
    b.close();
  });
});

/** Retries `open` until it yields a connection: closed connections free their slots a moment later. */
async function whenSlotFree<T>(open: () => Promise<T | undefined>): Promise<T> {
  let opened: T | undefined;
  await waitFor(async () => (opened = await open()) !== undefined, 5000, 'a free connection slot');
  return opened as T;
}
