import { Controller, Sse } from '@nestjs/common';
import { FirehoseService, LastEventId, type FirehoseEvent } from '../../lib/index.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';
import { openSse } from '../utils/sse-client.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/** An app's own @Sse() route, with its own path, as the docs show it. */
@Controller('orders')
class OrderEventsController {
  constructor(private readonly firehose: FirehoseService) {}

  @Sse('events')
  events(@LastEventId() lastEventId?: number) {
    return this.firehose.messageEvents(['orders', 'invoices'], { lastEventId });
  }
}

describe("FirehoseService.messageEvents for an app's @Sse() routes", () => {
  let db: TestDatabase;
  let t: FirehoseHttpApp;

  beforeAll(async () => {
    db = await createTestDatabase('message_events');
    t = await createFirehoseHttpApp({ url: db.url, firehose: { cleanupThreshold: 2 }, controllers: [OrderEventsController] });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('writes each event with its own id, the stream as event type and the Firehose SSE payload', async () => {
    const sse = await openSse(`${t.baseUrl}/orders/events`);
    try {
      expect(sse.status).toBe(200);
      // The subscription is live once the route answered and a first broadcast gets through.
      const first = await t.firehose.broadcast('orders', { n: 1 });
      const second = await t.firehose.broadcast('invoices', { n: 2 });
      const frames = await sse.waitForDataFrames(2);
      expect(frames.map((f) => [f.id, f.event, JSON.parse(f.data!)])).toEqual([
        [String(first.id), 'orders', { data: { n: 1 }, channel_id: first.streamId, sequence: 1 }],
        [String(second.id), 'invoices', { data: { n: 2 }, channel_id: second.streamId, sequence: 1 }],
      ]);
    } finally {
      sse.close();
    }
  });

  it('resumes after the Last-Event-ID header, and after ?last_event_id', async () => {
    const events: FirehoseEvent[] = [];
    for (let n = 0; n < 2; n++) events.push(await t.firehose.broadcast('orders', { resume: n }));
    const variants: Record<string, string>[] = [{ 'Last-Event-ID': String(events[0].id) }, {}];
    for (const headers of variants) {
      const query = 'Last-Event-ID' in headers ? '' : `?last_event_id=${events[0].id}`;
      const sse = await openSse(`${t.baseUrl}/orders/events${query}`, headers);
      try {
        const [frame] = await sse.waitForDataFrames(1);
        expect([frame.id, JSON.parse(frame.data!).data]).toEqual([String(events[1].id), { resume: 1 }]);
      } finally {
        sse.close();
      }
    }
  });

  it("gives a reset the subscription's cursor as its id, never Nest's own counter", async () => {
    const kept: FirehoseEvent[] = [];
    const first = await t.firehose.broadcast('invoices', { old: 0 });
    for (let n = 1; n <= 4; n++) kept.push(await t.firehose.broadcast('invoices', { old: n }));
    await t.firehose.cleanup();
    const sse = await openSse(`${t.baseUrl}/orders/events?last_event_id=${first.id}`);
    try {
      const frames = await sse.waitForDataFrames(1);
      expect(frames[0].event).toBe('firehose:reset');
      expect(frames[0].id).toBe(String(first.id));
      expect(JSON.parse(frames[0].data!)).toEqual({ stream: 'invoices', last_event_id: kept[3].id, reason: 'history-trimmed' });
    } finally {
      sse.close();
    }
  });

  it('answers 400 to a Last-Event-ID that is not an event id', async () => {
    const sse = await openSse(`${t.baseUrl}/orders/events`, { 'Last-Event-ID': 'abc' });
    expect(sse.status).toBe(400);
    expect(sse.body.message).toMatch(/^Invalid Last-Event-ID header "abc": expected the non-negative integer id/);
  });

  it('completes at shutdown, so the app closes while a client is still connected', async () => {
    const local = await createFirehoseHttpApp({ url: db.url, controllers: [OrderEventsController], forceCloseConnections: false });
    const sse = await openSse(`${local.baseUrl}/orders/events`);
    expect(sse.status).toBe(200);
    let closed = false;
    const closing = local.close().then(() => (closed = true));
    await sse.ended;
    await closing;
    expect(closed).toBe(true);
    expect(sse.isEnded).toBe(true);
  });
});
