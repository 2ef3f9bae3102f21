import { AssertionError } from 'node:assert';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { firstValueFrom, take, toArray } from 'rxjs';
import { FirehoseService, FirehoseQueueTimeoutError, FirehoseInvalidStreamNameError } from '../../lib/index.js';
import { FirehoseTestingModule, FirehoseTestingService } from '../../lib/testing/index.js';

@Injectable()
class Notifier {
  constructor(readonly firehose: FirehoseService) {}
  notify(postId: number, text: string) {
    return this.firehose.broadcast(`Post:${postId}`, { type: 'comment', text, at: { hour: 9 } });
  }
}

describe('FirehoseTestingModule', () => {
  let firehose: FirehoseTestingService;
  let notifier: Notifier;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [FirehoseTestingModule], providers: [Notifier] }).compile();
    firehose = moduleRef.get(FirehoseTestingService);
    notifier = moduleRef.get(Notifier);
  });

  it('gives FirehoseService injectors the recording service', () => {
    expect(notifier.firehose).toBe(firehose);
  });

  it('records broadcasts with ids and per-stream sequences, as the real service numbers them', async () => {
    const first = await notifier.notify(7, 'a');
    await notifier.notify(8, 'b');
    const third = await notifier.notify(7, 'c');
    expect([first.id, first.sequence, third.id, third.sequence]).toEqual([1, 1, 3, 2]);
    expect(firehose.broadcasts.map((e) => e.stream)).toEqual(['Post:7', 'Post:8', 'Post:7']);
  });

  it('expectBroadcast matches partial objects, predicates and asymmetric matchers, and says what was sent when nothing matches', async () => {
    await notifier.notify(7, 'hello');
    expect(firehose.expectBroadcast('Post:7', { text: 'hello', at: { hour: 9 } }).stream).toBe('Post:7');
    firehose.expectBroadcast('Post:7', (data) => (data as { text: string }).text.startsWith('he'));
    firehose.expectBroadcast('Post:7', expect.objectContaining({ type: 'comment' }));
    firehose.expectBroadcast('Post:7');
    expect(() => firehose.expectBroadcast('Post:7', { text: 'bye' })).toThrow(AssertionError);
    expect(() => firehose.expectBroadcast('Post:7', { text: 'bye' })).toThrow(/matching \{ text: 'bye' \}, but it got: \[.*text: 'hello'/s);
    expect(() => firehose.expectBroadcast('Post:9')).toThrow(
      'Expected a broadcast to "Post:9", but none was sent to it (streams broadcast to: "Post:7").',
    );
    expect(() => firehose.expectNoBroadcast('Post:7')).toThrow(/Expected no broadcast to "Post:7", but it got 1/);
    firehose.expectNoBroadcast('Post:9');
    firehose.reset();
    expect(firehose.broadcasts).toEqual([]);
  });

  it('refuses what the real service refuses', async () => {
    await expect(firehose.broadcast('', {})).rejects.toThrow(FirehoseInvalidStreamNameError);
    await expect(firehose.broadcast('x', { n: 1n })).rejects.toThrow(/JSON/);
    expect(firehose.broadcasts).toEqual([]);
  });

  it('stream() replays after lastEventId, then emits later broadcasts of its streams only', async () => {
    await firehose.broadcast('a', 1);
    await firehose.broadcast('b', 2);
    const items = firstValueFrom(firehose.stream(['a', 'b'], { lastEventId: 1 }).pipe(take(2), toArray()));
    await firehose.broadcast('c', 3);
    await firehose.broadcast('a', 4);
    expect((await items).map((e) => ('data' in e ? e.data : e))).toEqual([2, 4]);
  });

  it('queues hand every message to every open handle, and pop times out as the real one does', async () => {
    const one = firehose.queue<string>('work');
    const two = firehose.queue<string>('work');
    await one.push('job');
    expect(await Promise.all([one.pop(), two.pop()])).toEqual(['job', 'job']);
    await expect(two.pop({ timeout: 5 })).rejects.toThrow(FirehoseQueueTimeoutError);
    one.close();
    two.close();
  });
});
