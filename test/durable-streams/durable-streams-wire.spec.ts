import { encodeJsonBody, jsonArray } from '../../lib/durable-streams/json-messages.js';
import { sseEvent } from '../../lib/durable-streams/sse-encoding.js';
import { responseCursor } from '../../lib/durable-streams/stream-cursor.js';
import { formatOffset, parseOffset } from '../../lib/durable-streams/stream-offset.js';

describe('Durable Streams wire helpers', () => {
  it('offsets sort like the positions they stand for and parse back', () => {
    const positions = [0, 9, 10, 99, 1_000_000, 2 ** 40];
    const offsets = positions.map(formatOffset);
    expect([...offsets].sort()).toEqual(offsets);
    expect(offsets.map(parseOffset)).toEqual(positions);
    for (const bad of ['', '-1', 'now', '12', '_1', '1_', 'a_1', '1_1/..', ' 1_1', '1_99999999999999999'])
      expect(parseOffset(bad)).toBeUndefined();
  });

  it('JSON bodies flatten one level and concatenate into an array without parsing', () => {
    const a = encodeJsonBody(Buffer.from('[{"x":1}, [2, 3]]'), false);
    const b = encodeJsonBody(Buffer.from('"s"'), false);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(JSON.parse(jsonArray([a.bytes, b.bytes]).toString())).toEqual([{ x: 1 }, [2, 3], 's']);
    expect(jsonArray([]).toString()).toBe('[]');
    expect(encodeJsonBody(Buffer.from('[]'), false)).toEqual({ ok: false, reason: 'empty_array' });
    expect(encodeJsonBody(Buffer.from('[]'), true)).toEqual({ ok: true, bytes: Buffer.alloc(0) });
    expect(encodeJsonBody(Buffer.from('{'), true)).toEqual({ ok: false, reason: 'invalid_json' });
  });

  it('SSE payloads cannot end an event early, whatever line breaks they hold', () => {
    expect(sseEvent('data', 'a\r\nevent: x\rb\nc')).toBe('event: data\ndata:a\ndata:event: x\ndata:b\ndata:c\n\n');
    expect(sseEvent('data', ' lead')).toBe('event: data\ndata: lead\n\n');
  });

  it('cursors never go backwards for a client that is ahead', () => {
    const now = Date.UTC(2026, 0, 1);
    const current = Number(responseCursor(null, now));
    expect(Number(responseCursor(String(current - 5), now))).toBe(current);
    for (let i = 0; i < 20; i++) expect(Number(responseCursor(String(current + 3), now))).toBeGreaterThan(current + 3);
    expect(responseCursor('junk', now)).toBe(String(current));
  });
});
