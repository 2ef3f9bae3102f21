import { MessageCache } from '../../lib/durable-streams/message-cache.js';

const msg = (end: number, text: string) => ({ end, data: Buffer.from(text) });

describe('MessageCache', () => {
  it('serves only what it holds completely, from the message after the offset', () => {
    const cache = new MessageCache(1000);
    cache.add(1, 0, [msg(2, 'ab'), msg(5, 'cde')]);
    expect(cache.read(1, 0, 5, 100)?.map((m) => m.end)).toEqual([2, 5]);
    expect(cache.read(1, 2, 5, 100)?.map((m) => m.end)).toEqual([5]);
    expect(cache.read(1, 5, 9, 100)).toBeUndefined(); // nothing past the window: ask the table
    expect(cache.read(2, 0, 5, 100)).toBeUndefined();
  });

  it('never returns messages past the tail the reader saw', () => {
    const cache = new MessageCache(1000);
    cache.add(1, 0, [msg(2, 'ab'), msg(5, 'cde')]);
    expect(cache.read(1, 0, 2, 100)?.map((m) => m.end)).toEqual([2]);
  });

  it('extends a window only with a run that starts inside it; otherwise starts over', () => {
    const cache = new MessageCache(1000);
    cache.add(1, 0, [msg(2, 'ab')]);
    cache.add(1, 2, [msg(4, 'cd')]);
    expect(cache.read(1, 0, 10, 100)?.map((m) => m.end)).toEqual([2, 4]);
    // An append by another process (4..6) was never seen here: a later local one starts a new window.
    cache.add(1, 6, [msg(8, 'gh')]);
    expect(cache.read(1, 4, 10, 100)).toBeUndefined();
    expect(cache.read(1, 6, 10, 100)?.map((m) => m.end)).toEqual([8]);
  });

  it('cuts a read at about maxBytes, always with at least one message', () => {
    const cache = new MessageCache(1000);
    cache.add(1, 0, [msg(3, 'abc'), msg(6, 'def'), msg(9, 'ghi')]);
    expect(cache.read(1, 0, 9, 4)?.map((m) => m.end)).toEqual([3, 6]);
    expect(cache.read(1, 0, 9, 1)?.map((m) => m.end)).toEqual([3]);
  });

  it('stays within its byte budget, least recently used streams first', () => {
    const cache = new MessageCache(10);
    cache.add(1, 0, [msg(4, 'aaaa')]);
    cache.add(2, 0, [msg(4, 'bbbb')]);
    cache.read(1, 0, 4, 100);
    cache.add(3, 0, [msg(4, 'cccc')]);
    expect(cache.read(2, 0, 4, 100)).toBeUndefined();
    expect(cache.read(1, 0, 4, 100)).toBeDefined();
    cache.add(3, 4, [msg(12, 'dddddddd')]);
    expect(cache.read(3, 4, 12, 100)?.map((m) => m.end)).toEqual([12]);
    expect(cache.read(3, 0, 12, 100)).toBeUndefined();
  });
});
