import * as boundAppendsMigration from '../../migrations/durable-streams/1732361000000-bound-durable-streams-appends.js';
import { AppendRateLimiter } from '../../lib/durable-streams/append-rate-limiter.js';
import { parseContentType } from '../../lib/durable-streams/content-type.js';
import { StreamRequestError } from '../../lib/durable-streams/errors/stream-request.error.js';
import { durableStreamsTables } from '../../lib/durable-streams/store/durable-streams-tables.js';
import { MIGRATION_LOCK_KEY } from '../../lib/firehose.constants.js';

describe('parseContentType', () => {
  it.each([
    ['text/plain', 'text/plain'],
    ['  Application/JSON  ', 'application/json'],
    ['text/html;charset=UTF-8', 'text/html; charset=utf-8'],
    ['text/html; CHARSET="utf-8"', 'text/html; charset=utf-8'],
    ['text/plain; format=flowed; charset=us-ascii; delsp=yes', 'text/plain; charset=us-ascii'],
    ['application/vnd.api+json; ext="a b"', 'application/vnd.api+json'],
    ['text/plain;;', 'text/plain'],
    ["application/x-a!#$%&'*+.^_`|~b", "application/x-a!#$%&'*+.^_`|~b"],
  ])('stores %j as %j', (given, stored) => {
    const parsed = parseContentType(given);
    expect(parsed).toEqual({ ok: true, value: stored, mediaType: stored.split(';')[0] });
  });

  it.each([
    '',
    'text',
    'text/',
    '/plain',
    'text/plain/x',
    'text /plain',
    'text/plain x',
    'text/plain; x',
    'text/plain; =x',
    'text/plain; x="unterminated',
    'text/plain; charset=',
    'text/plain; charset="a b"',
    'text/plain; charset="ut\\"f-8"',
    'text/plain<script>',
    'téxt/plain',
    'text/plain,text/html',
    `text/plain; charset=${'a'.repeat(41)}`,
    `text/plain; x=${'a'.repeat(300)}`,
  ])('refuses %j with a reason', (given) => {
    const parsed = parseContentType(given);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(/Content-Type|charset/);
  });

  it('produces only what the migration considers normalized (so it leaves them as they are)', () => {
    const normalized = new RegExp(boundAppendsMigration.NORMALIZED_CONTENT_TYPE);
    for (const given of ['TEXT/HTML; charset=UTF-8', 'image/svg+xml', "a/b!#$%&'*+.^_`|~; charset=iso-8859-1", 'x/y; charset="a{}~.:-"']) {
      const parsed = parseContentType(given);
      expect(parsed.ok && normalized.test(parsed.value)).toBe(true);
    }
    expect(normalized.test('text/plain; charset=utf-8; x=y')).toBe(false);
    expect(normalized.test('Text/Plain')).toBe(false);
  });
});

describe('the append-limits migration keeps frozen copies that agree with lib', () => {
  it('lock key, identifier quoting and object names', () => {
    expect(boundAppendsMigration.MIGRATION_LOCK_KEY).toBe(MIGRATION_LOCK_KEY);
    for (const schema of [undefined, 'public', 'Shop Floor', 'say "when"']) {
      const lib = durableStreamsTables(schema);
      const frozen = boundAppendsMigration.durableStreamsTables(schema);
      expect(frozen).toEqual({
        streams: lib.streams,
        messages: lib.messages,
        producers: lib.producers,
        appendFunction: lib.appendFunction,
      });
    }
  });
});

describe('AppendRateLimiter', () => {
  const refused = (take: () => void): StreamRequestError | undefined => {
    try {
      take();
      return undefined;
    } catch (error) {
      return error as StreamRequestError;
    }
  };

  it('grants a burst of one second, then the rate, per stream, with Retry-After on refusal', () => {
    const limiter = new AppendRateLimiter(4);
    for (let i = 0; i < 4; i++) expect(refused(() => limiter.take('/a', 1000))).toBeUndefined();
    const error = refused(() => limiter.take('/a', 1000));
    expect(error?.status).toBe(429);
    expect(error?.headers['retry-after']).toBe('1');
    expect(refused(() => limiter.take('/b', 1000))).toBeUndefined();
    expect(refused(() => limiter.take('/a', 1250))).toBeUndefined();
    expect(refused(() => limiter.take('/a', 1250))?.status).toBe(429);
    expect(refused(() => limiter.take('/a', 3000))).toBeUndefined();
  });

  it('asks a slow stream to wait as long as a token takes', () => {
    const limiter = new AppendRateLimiter(1);
    limiter.take('/slow', 0);
    expect(refused(() => limiter.take('/slow', 100))?.headers['retry-after']).toBe('1');
  });

  it('forgets idle streams instead of growing without bound', () => {
    const limiter = new AppendRateLimiter(2);
    for (let i = 0; i < 20_000; i++) limiter.take(`/s${i}`, i * 1000);
    expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(10_000);
  });
});
