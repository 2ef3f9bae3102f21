import type { FirehoseEvent } from '../../lib/index.js';
import { eventData, eventMessage, openingMessage, resetMessage } from '../../lib/sse/sse-frames.js';

describe('SSE frames', () => {
  const event: FirehoseEvent = { id: 456, stream: 'a', data: 'refresh', sequence: 7, channelId: 3 };

  it('builds the Firehose data line, keys in the protocol order', () => {
    expect(eventData(event)).toBe('{"data":"refresh","channel_id":3,"sequence":7}');
    expect(eventMessage(event)).toEqual({ id: '456', type: 'a', data: '{"data":"refresh","channel_id":3,"sequence":7}' });
  });

  it('serializes an event once and shares the same string', () => {
    const shared: FirehoseEvent = { ...event, data: { big: 'x'.repeat(1000) } };
    const first = eventData(shared);
    (shared as { data: unknown }).data = 'changed after the first serialization';
    expect(eventData(shared)).toBe(first);
  });

  it('gives a reset the connection cursor as id, and an empty id without one', () => {
    const reset = { type: 'reset', stream: 'a', lastEventId: 900, reason: 'history-trimmed' } as const;
    expect(resetMessage(reset, 12)).toEqual({
      id: '12',
      type: 'firehose:reset',
      data: '{"stream":"a","last_event_id":900,"reason":"history-trimmed"}',
    });
    expect(resetMessage(reset, undefined).id).toBe('');
  });

  it('opens with the retry hint and the client cursor', () => {
    expect(openingMessage(3000, 5)).toEqual({ id: '5', retry: 3000 });
    expect(openingMessage(3000, undefined)).toEqual({ id: '', retry: 3000 });
  });
});
