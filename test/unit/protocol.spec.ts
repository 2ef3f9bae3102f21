import { isCursor, parseCursor } from '../../lib/protocol/cursor.js';
import { parseQueueNotification, queueNotification, readEventNotification } from '../../lib/protocol/notify-payload.js';
import { MAX_STREAM_NAME_BYTES, streamNameProblem } from '../../lib/protocol/stream-name.js';

describe('protocol/stream-name', () => {
  it('counts UTF-8 bytes as Buffer.byteLength does, around the limit', () => {
    const samples = ['a', 'é', '€', '😀', '\u{10FFFF}'];
    for (const unit of samples) {
      const longest = unit.repeat(Math.floor(MAX_STREAM_NAME_BYTES / Buffer.byteLength(unit)));
      expect(streamNameProblem(longest)).toBeUndefined();
      expect(streamNameProblem(longest + unit)).toMatch(/longer than 255 UTF-8 bytes/);
    }
    expect(streamNameProblem('a'.repeat(254) + 'é')).toMatch(/longer than/);
  });

  it('refuses lone surrogates but accepts pairs', () => {
    expect(streamNameProblem('a\uD83D')).toMatch(/unpaired/);
    expect(streamNameProblem('\uDE00a')).toMatch(/unpaired/);
    expect(streamNameProblem('\uD83D\uDE00')).toBeUndefined();
  });
});

describe('protocol/cursor', () => {
  it('accepts non-negative safe integers, as numbers or digits', () => {
    expect(parseCursor(0)).toBe(0);
    expect(parseCursor('123')).toBe(123);
    expect(parseCursor(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses everything else', () => {
    for (const value of [-1, 1.5, NaN, '', ' 1', '-1', '1e3', '0x10', String(Number.MAX_SAFE_INTEGER + 2), null, {}, true]) {
      expect(parseCursor(value)).toBeUndefined();
    }
    expect(isCursor('1')).toBe(false);
  });
});

describe('protocol/notify-payload', () => {
  function read(payload: string) {
    const seen: unknown[] = [];
    readEventNotification(payload, {
      notifiedEvent: (event) => seen.push(['event', event]),
      notifiedReference: (event) => seen.push(['ref', event]),
      ignoredNotification: (what) => seen.push(['ignored', what]),
    });
    return seen;
  }

  it('reads the events of a notification in order, inline and by reference', () => {
    expect(
      read('[{"id":1,"stream":"a","sequence":1,"channel_id":3,"data":{"x":1}},{"id":2,"stream":"a","sequence":2,"channel_id":3,"ref":1}]'),
    ).toEqual([
      ['event', { id: 1, stream: 'a', data: { x: 1 }, sequence: 1, streamId: 3 }],
      ['ref', { id: 2, stream: 'a', sequence: 2, streamId: 3 }],
    ]);
  });

  it('ignores what the module does not send', () => {
    expect(read('nope')).toEqual([['ignored', 'a notification that is not JSON']]);
    expect(read('{}')).toEqual([['ignored', 'a notification that is not an array of events']]);
    expect(read('[null,{"id":"1","stream":"a","sequence":1,"channel_id":3}]')).toHaveLength(2);
  });

  it('round-trips a queue message', () => {
    expect(parseQueueNotification(queueNotification('jobs', 'p1', 7, 1_700_000_000_000, '{"n":1}'))).toEqual({
      queue: 'jobs',
      sender: 'p1',
      seq: 7,
      sentAt: 1_700_000_000_000,
      message: { n: 1 },
    });
    expect(parseQueueNotification('{"m":1}')).toBeUndefined();
    // Without sender, number and time it cannot be told from a copy: refused.
    expect(parseQueueNotification('{"q":"jobs","m":1}')).toBeUndefined();
    expect(parseQueueNotification('{"q":"jobs","s":"p1","n":1.5,"t":1,"m":1}')).toBeUndefined();
    expect(parseQueueNotification('x')).toBeUndefined();
  });
});
