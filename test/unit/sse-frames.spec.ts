import type { FirehoseEvent } from '../../lib/index.js';
import { eventData, eventFrame, openingFrame, resetFrame } from '../../lib/protocol/sse-frames.js';
import { HEARTBEAT_FRAME, sharedEventFrame } from '../../lib/transports/sse/sse-frame-bytes.js';

describe('SSE frames', () => {
  const event: FirehoseEvent = { id: 456, stream: 'a', data: 'refresh', sequence: 7, streamId: 3 };

  it("builds the Firehose protocol's frame: id, event, then the data line with keys in the protocol order", () => {
    expect(eventData(event)).toBe('{"data":"refresh","channel_id":3,"sequence":7}');
    expect(eventFrame(event)).toBe('id: 456\nevent: a\ndata: {"data":"refresh","channel_id":3,"sequence":7}\n\n');
  });

  it('builds a frame with the data of a reshaped event, keeping the stored id and stream', () => {
    expect(eventFrame(event, eventData({ ...event, data: 'other' }))).toBe(
      'id: 456\nevent: a\ndata: {"data":"other","channel_id":3,"sequence":7}\n\n',
    );
  });

  it('encodes a hub event once and shares the same bytes', () => {
    const shared: FirehoseEvent = { ...event, data: { big: 'x'.repeat(1000) } };
    const first = sharedEventFrame(shared);
    (shared as { data: unknown }).data = 'changed after the first serialization';
    expect(sharedEventFrame(shared)).toBe(first);
    expect(first.toString()).toBe(eventFrame({ ...event, data: { big: 'x'.repeat(1000) } }));
  });

  it('gives a reset the connection cursor as id, and no id line without one', () => {
    const reset = { type: 'reset', stream: 'a', lastEventId: 900, reason: 'history-trimmed' } as const;
    expect(resetFrame(reset, 12)).toBe(
      'id: 12\nevent: firehose:reset\ndata: {"stream":"a","last_event_id":900,"reason":"history-trimmed"}\n\n',
    );
    expect(resetFrame(reset, undefined)).toBe(
      'event: firehose:reset\ndata: {"stream":"a","last_event_id":900,"reason":"history-trimmed"}\n\n',
    );
  });

  it('opens with the retry hint alone and beats with a comment', () => {
    expect(openingFrame(3000)).toBe('retry: 3000\n\n');
    expect(HEARTBEAT_FRAME.toString()).toBe(': heartbeat\n\n');
  });
});
