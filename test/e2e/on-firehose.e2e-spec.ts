import { Injectable } from '@nestjs/common';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { createFirehoseAppFromModule } from '../utils/create-firehose-app-from-module.js';
import type { FirehoseTestApp } from '../utils/create-firehose-app.js';
import { CapturingLogger } from '../utils/capturing-logger.js';
import { waitFor } from '../utils/collect.js';
import { FirehoseModule, OnFirehose, type FirehoseEvent } from '../../lib/index.js';

const RECORDER_ALIAS = Symbol('RECORDER_ALIAS');

@Injectable()
class Recorder {
  readonly ab: Array<[string, FirehoseEvent]> = [];
  readonly survivors: FirehoseEvent[] = [];
  readonly aliased: FirehoseEvent[] = [];
  syncCalls = 0;
  asyncCalls = 0;

  @OnFirehose('a')
  @OnFirehose(['b'])
  onAOrB(event: FirehoseEvent): void {
    this.ab.push([event.stream, event]);
  }

  // Declared before the survivor, so they run first for each event of 'faulty'.
  @OnFirehose('faulty')
  throwsSynchronously(event: FirehoseEvent): void {
    this.syncCalls++;
    throw new Error(`sync failure on #${event.sequence}`);
  }

  @OnFirehose('faulty')
  async rejectsAsynchronously(event: FirehoseEvent): Promise<void> {
    this.asyncCalls++;
    await Promise.resolve();
    throw new Error(`async failure on #${event.sequence}`);
  }

  @OnFirehose('faulty')
  survives(event: FirehoseEvent): void {
    this.survivors.push(event);
  }

  @OnFirehose('aliased')
  onAliased(event: FirehoseEvent): void {
    this.aliased.push(event);
  }
}

describe('@OnFirehose', () => {
  let db: TestDatabase;
  let t: FirehoseTestApp;
  let recorder: Recorder;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    db = await createTestDatabase('on_firehose');
    t = await createFirehoseAppFromModule({
      url: db.url,
      firehoseModule: FirehoseModule.forRoot({ reconnectDelay: 50 }),
      providers: [Recorder, { provide: RECORDER_ALIAS, useExisting: Recorder }],
      logger,
    });
    recorder = t.app.get(Recorder);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('registers each handler once per decorator, and only once despite the useExisting alias', () => {
    expect(t.app.get(RECORDER_ALIAS)).toBe(recorder);
    expect(
      logger
        .messages('log')
        .filter((m) => m.startsWith('@OnFirehose '))
        .sort(),
    ).toEqual([
      '@OnFirehose Recorder.onAOrB ← a',
      '@OnFirehose Recorder.onAOrB ← b',
      '@OnFirehose Recorder.onAliased ← aliased',
      '@OnFirehose Recorder.rejectsAsynchronously ← faulty',
      '@OnFirehose Recorder.survives ← faulty',
      '@OnFirehose Recorder.throwsSynchronously ← faulty',
    ]);
  });

  it('calls a stacked handler with the FirehoseEvent of each of its streams, in commit order', async () => {
    const a1 = await t.firehose.broadcast('a', { n: 1 });
    const b1 = await t.firehose.broadcast('b', { n: 2 });
    const other = await t.firehose.broadcast('not-subscribed', { n: 3 });
    const a2 = await t.firehose.broadcast('a', { n: 4 });
    const [b2, a3] = await Promise.all([t.firehose.broadcast('b', { n: 5 }), t.firehose.broadcast('a', { n: 6 })]);
    await waitFor(() => recorder.ab.length >= 5, 5_000, 'five a/b events');
    expect(recorder.ab).toEqual([
      ['a', a1],
      ['b', b1],
      ['a', a2],
      ['b', b2],
      ['a', a3],
    ]);
    expect(recorder.ab.map(([, e]) => e.id)).not.toContain(other.id);
    expect(a1).toEqual({ id: expect.any(Number), stream: 'a', data: { n: 1 }, sequence: 1, streamId: expect.any(Number) });
    expect([a1, a2, a3].map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect([b1, b2].map((e) => e.sequence)).toEqual([1, 2]);
  });

  it('logs a handler that throws or rejects, and keeps calling the others with later events', async () => {
    const errorsBefore = logger.messages('error').length;
    const first = await t.firehose.broadcast('faulty', 'one');
    const second = await t.firehose.broadcast('faulty', 'two');
    const third = await t.firehose.broadcast('faulty', 'three');
    await waitFor(
      () => recorder.survivors.length >= 3 && logger.messages('error').length >= errorsBefore + 6,
      5_000,
      'three events and six errors',
    );
    expect(recorder.survivors).toEqual([first, second, third]);
    expect([recorder.syncCalls, recorder.asyncCalls]).toEqual([3, 3]);
    expect(logger.messages('error').slice(errorsBefore).sort()).toEqual(
      [
        '@OnFirehose handler Recorder.throwsSynchronously failed: sync failure on #1',
        '@OnFirehose handler Recorder.throwsSynchronously failed: sync failure on #2',
        '@OnFirehose handler Recorder.throwsSynchronously failed: sync failure on #3',
        '@OnFirehose handler Recorder.rejectsAsynchronously failed: async failure on #1',
        '@OnFirehose handler Recorder.rejectsAsynchronously failed: async failure on #2',
        '@OnFirehose handler Recorder.rejectsAsynchronously failed: async failure on #3',
      ].sort(),
    );

    // The listener survived too: delivery of other streams goes on.
    const after = await t.firehose.broadcast('a', 'after the failures');
    await waitFor(() => recorder.ab.some(([, e]) => e.id === after.id), 5_000, 'an event after the failures');
    expect(t.firehose.health()).toEqual({ listener: 'connected' });
  });

  it('does not call a handler twice when its provider is also registered as a useExisting alias', async () => {
    const one = await t.firehose.broadcast('aliased', 1);
    const two = await t.firehose.broadcast('aliased', 2);
    // The hub dispatches in id order, synchronously: once a later event reached its handler,
    // every handler of 'aliased' has had both events.
    const marker = await t.firehose.broadcast('a', 'marker');
    await waitFor(() => recorder.ab.some(([, e]) => e.id === marker.id), 5_000, 'the marker event');
    expect(recorder.aliased).toEqual([one, two]);
  });
});
