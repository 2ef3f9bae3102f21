import { errorFrame, resetFrame, serializeEventFrame, subscribedFrame, unsubscribedFrame } from '../../lib/protocol/ws-frames.js';
import { sharedEventFrame } from '../../lib/transports/ws/ws-frame-bytes.js';

describe('WebSocket frames', () => {
  const event = { id: 456, stream: 'a', data: { n: 1 }, sequence: 7, streamId: 3 };

  it("writes the Firehose protocol's event frame, keys in its order", () => {
    expect(serializeEventFrame(event)).toBe('{"id":456,"stream":"a","data":{"n":1},"sequence":7,"channel_id":3}');
  });

  it('serializes a shared event once and returns the same text after', () => {
    const shared = { ...event };
    const first = sharedEventFrame(shared);
    shared.data = { n: 2 };
    expect(sharedEventFrame(shared)).toBe(first);
  });

  it('writes the control frames', () => {
    expect(subscribedFrame(['a', 'b'])).toBe('{"type":"subscribed","streams":["a","b"]}');
    expect(unsubscribedFrame(['a'])).toBe('{"type":"unsubscribed","streams":["a"]}');
    expect(errorFrame('unknown-command', 'No.')).toBe('{"type":"error","code":"unknown-command","message":"No."}');
    expect(errorFrame('unauthorized', 'No.', ['x'])).toBe('{"type":"error","code":"unauthorized","message":"No.","streams":["x"]}');
    expect(resetFrame({ type: 'reset', stream: 'a', lastEventId: 9, reason: 'history-trimmed' })).toBe(
      '{"type":"reset","stream":"a","last_event_id":9,"reason":"history-trimmed"}',
    );
  });
});
