import { serializeData } from '../../lib/publish/serialize-data.js';
import { FirehoseUnserializableDataError } from '../../lib/errors/unserializable-data.error.js';
import { FirehosePayloadTooLargeError } from '../../lib/errors/payload-too-large.error.js';
import { thrown } from '../utils/thrown.js';

const LIMIT = 1_048_576;
const serialize = (data: unknown, limit = LIMIT) => serializeData(data, limit, 'maxPayloadBytes');

describe('serializeData', () => {
  describe('returns JSON.stringify for plain data', () => {
    it.each<[string, unknown, string]>([
      ['a string', 'refresh', '"refresh"'],
      ['a number', 42.5, '42.5'],
      ['zero', 0, '0'],
      ['false', false, 'false'],
      ['null', null, 'null'],
      ['an empty string', '', '""'],
      ['an object', { a: 1, b: [true, null] }, '{"a":1,"b":[true,null]}'],
      ['an array with undefined (becomes null)', [1, undefined], '[1,null]'],
      ['an object with an undefined member (dropped)', { a: undefined, b: 1 }, '{"b":1}'],
      ['NaN (becomes null)', Number.NaN, 'null'],
      ['a Date (toJSON)', new Date('2024-01-02T03:04:05.000Z'), '"2024-01-02T03:04:05.000Z"'],
      ['a surrogate pair, kept literal', '😀', '"😀"'],
      ['NUL, escaped', '\u0000', '"\\u0000"'],
      ['a quote and a backslash', 'a"b\\c', '"a\\"b\\\\c"'],
    ])('%s', (_label, data, json) => {
      expect(serialize(data)).toBe(json);
    });
  });

  describe('rejects data without a JSON form with FirehoseUnserializableDataError', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    it.each<[string, unknown, RegExp]>([
      ['undefined', undefined, /undefined has no JSON form/],
      ['a function', () => 1, /function has no JSON form/],
      ['a symbol', Symbol('s'), /symbol has no JSON form/],
      ['a BigInt', 10n, /BigInt/],
      ['a nested BigInt', { deep: [{ n: 1n }] }, /BigInt/],
      ['a circular object', circular, /circular/i],
      ['a toJSON returning undefined', { toJSON: () => undefined }, /object has no JSON form/],
      [
        'a toJSON that throws',
        {
          toJSON: () => {
            throw new Error('no way');
          },
        },
        /no way/,
      ],
    ])('%s', (_label, data, reason) => {
      const error = thrown(() => serialize(data));
      expect(error).toBeInstanceOf(FirehoseUnserializableDataError);
      expect(error.message).toMatch(/^Data cannot be serialized as JSON: /);
      expect(error.message).toMatch(reason);
      expect(error.message).toMatch(/Send plain objects, arrays, strings, numbers, booleans or null\.$/);
    });
  });

  describe('lone surrogates', () => {
    it.each<[string, unknown]>([
      ['a lone high surrogate', '\ud800'],
      ['a lone low surrogate', '\udfff'],
      ['one inside text', 'ab\udbffcd'],
      ['reversed pair', '\ude00\ud83d'],
      ['one in a key', { '\ud800': 1 }],
      ['one deep in an array', [1, ['x', '\udc00']]],
      ['one after an escaped backslash (JSON \\\\\\udXXX)', '\\\ud800'],
      ['one after two escaped backslashes', '\\\\\ud800'],
      ['one after a quote', '"\ud800'],
      ['one after another escape', '\n\ud800'],
      ['one right after a valid pair', '😀\ud800'],
      ['one at the start of a later string', ['ok', '\ud800']],
    ])('rejects %s', (_label, data) => {
      const error = thrown(() => serialize(data));
      expect(error).toBeInstanceOf(FirehoseUnserializableDataError);
      expect(error.message).toContain('a string contains an unpaired UTF-16 surrogate');
    });

    it.each<[string, string, string]>([
      ['the literal text \\ud800', '\\ud800', '"\\\\ud800"'],
      ['the literal text \\\\ud800 (two backslashes)', '\\\\ud800', '"\\\\\\\\ud800"'],
      ['the literal text \\uD83D\\uDE00', '\\uD83D\\uDE00', '"\\\\uD83D\\\\uDE00"'],
      ['the literal text \\udfff at the end', 'end \\udfff', '"end \\\\udfff"'],
      ['a real escape \\u0001 beside literal \\ud800 text', '\u0001\\ud800', '"\\u0001\\\\ud800"'],
      ['a valid surrogate pair', '\ud83d\ude00', '"😀"'],
    ])('accepts %s', (_label, data, json) => {
      expect(serialize(data)).toBe(json);
      expect(JSON.parse(serialize(data))).toBe(data);
    });
  });

  describe('byte limit', () => {
    it('accepts JSON of exactly `limit` bytes', () => {
      expect(serialize('x'.repeat(98), 100)).toHaveLength(100);
    });

    it('rejects one byte more with FirehosePayloadTooLargeError carrying bytes, limit and the option', () => {
      const error = thrown(() => serialize('x'.repeat(99), 100)) as FirehosePayloadTooLargeError;
      expect(error).toBeInstanceOf(FirehosePayloadTooLargeError);
      expect([error.bytes, error.limit]).toEqual([101, 100]);
      expect(error.message).toMatch(/^Payload of 101 bytes exceeds the 100-byte limit\b/);
      expect(error.message).toContain('maxPayloadBytes');
    });

    it('counts UTF-8 bytes, not UTF-16 units', () => {
      // 33 × '€' is 35 UTF-16 units with the quotes, but 101 bytes.
      const error = thrown(() => serialize('€'.repeat(33), 100)) as FirehosePayloadTooLargeError;
      expect([error.bytes, error.limit]).toEqual([101, 100]);
      // 32 × '€' is 98 bytes: fine.
      expect(serialize('€'.repeat(32), 100)).toBe(`"${'€'.repeat(32)}"`);
      // An emoji is two units and four bytes: 24 × 4 + 2 = 98 fits, 25 × 4 + 2 = 102 does not.
      expect(serialize('😀'.repeat(24), 100)).toBe(`"${'😀'.repeat(24)}"`);
      expect((thrown(() => serialize('😀'.repeat(25), 100)) as FirehosePayloadTooLargeError).bytes).toBe(102);
    });

    it('puts the caller’s advice (third argument) in the message', () => {
      const error = thrown(() => serializeData('x'.repeat(10), 5, 'push an id instead'));
      expect(error.message).toMatch(/^Payload of 12 bytes exceeds the 5-byte limit\b/);
      expect(error.message).toContain('push an id instead');
    });

    it('reports an unserializable value before its size', () => {
      expect(thrown(() => serialize(`${'x'.repeat(200)}\ud800`, 10))).toBeInstanceOf(FirehoseUnserializableDataError);
    });
  });
});
