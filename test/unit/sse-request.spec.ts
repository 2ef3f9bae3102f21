import { BadRequestException } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { parseLastEventId, parseRequestedStreams } from '../../lib/transports/sse/sse-request.js';
import { thrown } from '../utils/thrown.js';

const request = (url: string, headers: Record<string, string> = {}) => ({ url, headers }) as unknown as IncomingMessage;

describe('parseRequestedStreams', () => {
  it('splits on commas, accepts repeated parameters, keeps order and drops duplicates', () => {
    expect(parseRequestedStreams(request('/sse?streams=b,a&streams=c,a'), 10)).toEqual(['b', 'a', 'c']);
  });

  it('decodes percent-encoded names', () => {
    expect(parseRequestedStreams(request('/sse?streams=Post%3A7,caf%C3%A9'), 10)).toEqual(['Post:7', 'café']);
  });

  it('counts distinct streams against the limit', () => {
    expect(parseRequestedStreams(request('/sse?streams=a,a,a,b'), 2)).toEqual(['a', 'b']);
    const error = thrown(() => parseRequestedStreams(request('/sse?streams=a,b,c'), 2));
    expect(error).toBeInstanceOf(BadRequestException);
    expect(error.message).toMatch(/Too many streams: 3 asked for, at most 2 per connection/);
  });

  it.each(['/sse', '/sse?other=1'])('refuses %p, which names no streams', (url) => {
    expect(thrown(() => parseRequestedStreams(request(url), 10)).message).toMatch(/Missing the streams query parameter/);
  });

  it.each(['/sse?streams=', '/sse?streams=a,', '/sse?streams=%0A'])('refuses %p with a 400', (url) => {
    expect(thrown(() => parseRequestedStreams(request(url), 10))).toBeInstanceOf(BadRequestException);
  });
});

describe('parseLastEventId', () => {
  it('is undefined without a header or parameter, or with empty ones', () => {
    expect(parseLastEventId(request('/sse?streams=a'))).toBeUndefined();
    expect(parseLastEventId(request('/sse?streams=a&last_event_id=', { 'last-event-id': ' ' }))).toBeUndefined();
  });

  it('reads the header, the parameter, and prefers the header', () => {
    expect(parseLastEventId(request('/sse', { 'last-event-id': '42' }))).toBe(42);
    expect(parseLastEventId(request('/sse?last_event_id=7'))).toBe(7);
    expect(parseLastEventId(request('/sse?last_event_id=7', { 'last-event-id': '0' }))).toBe(0);
  });

  it.each(['-1', '1.5', '1e3', 'abc', '0x10', '99999999999999999999'])('refuses the cursor %p with a 400 naming its source', (value) => {
    const fromHeader = thrown(() => parseLastEventId(request('/sse', { 'last-event-id': value })));
    expect(fromHeader).toBeInstanceOf(BadRequestException);
    expect(fromHeader.message).toMatch(/^Invalid Last-Event-ID header/);
    expect(thrown(() => parseLastEventId(request(`/sse?last_event_id=${value}`))).message).toMatch(
      /^Invalid last_event_id query parameter/,
    );
  });
});
