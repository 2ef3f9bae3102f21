import { assertValidStreamName, normalizeStreamNames } from '../../lib/publish/stream-name.js';
import { FirehoseInvalidStreamNameError } from '../../lib/errors/invalid-stream-name.error.js';
import { FirehoseError } from '../../lib/errors/firehose.error.js';

describe('assertValidStreamName', () => {
  it.each([
    ['a plain name', 'orders'],
    ['punctuation and spaces', 'user:42/feed #1'],
    ['a single character', 'a'],
    ['exactly 255 ASCII bytes', 'x'.repeat(255)],
    ['exactly 255 bytes of mixed widths', `a${'é'.repeat(127)}`],
    ['exactly 255 bytes of three-byte characters', '€'.repeat(85)],
    ['a surrogate pair (emoji)', 'feed-😀'],
    ['a character above the C1 range', 'caf\u00e9'],
  ])('accepts %s', (_label, name) => {
    expect(() => assertValidStreamName(name)).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    ['a number', 42, 'Invalid stream name "42": expected a string, got number.'],
    ['undefined', undefined, 'Invalid stream name "undefined": expected a string, got undefined.'],
    ['null', null, 'Invalid stream name "null": expected a string, got object.'],
    ['an array', ['a'], 'Invalid stream name "a": expected a string, got object.'],
    ['an empty string', '', 'Invalid stream name "": it is empty.'],
    ['256 ASCII bytes', 'x'.repeat(256), 'it is longer than 255 UTF-8 bytes.'],
    ['256 bytes in 128 characters', 'é'.repeat(128), 'it is longer than 255 UTF-8 bytes.'],
    ['258 bytes in 86 characters', '€'.repeat(86), 'it is longer than 255 UTF-8 bytes.'],
    ['a newline', 'a\nb', 'it contains control characters.'],
    ['a carriage return', 'a\rb', 'it contains control characters.'],
    ['a tab', '\tab', 'it contains control characters.'],
    ['NUL', 'a\u0000', 'it contains control characters.'],
    ['unit separator U+001F', 'a\u001f', 'it contains control characters.'],
    ['DEL U+007F', 'a\u007f', 'it contains control characters.'],
    ['a C1 control U+0085', 'a\u0085', 'it contains control characters.'],
    ['a C1 control U+009F', 'a\u009f', 'it contains control characters.'],
    ['a lone high surrogate', '\ud800', 'it contains an unpaired UTF-16 surrogate.'],
    ['a lone low surrogate', 'x\udc00y', 'it contains an unpaired UTF-16 surrogate.'],
    ['reversed surrogates', '\ude00\ud83d', 'it contains an unpaired UTF-16 surrogate.'],
  ])('rejects %s', (_label, name, reason) => {
    let caught: unknown;
    try {
      assertValidStreamName(name);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FirehoseInvalidStreamNameError);
    expect(caught).toBeInstanceOf(FirehoseError);
    expect((caught as FirehoseInvalidStreamNameError).name).toBe('FirehoseInvalidStreamNameError');
    expect((caught as FirehoseInvalidStreamNameError).stream).toBe(name);
    expect((caught as Error).message.endsWith(reason)).toBe(true);
  });

  it('keeps a long name out of the message beyond 80 characters', () => {
    const error = (() => {
      try {
        assertValidStreamName('y'.repeat(1000));
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a throw');
    })();
    expect(error.message).toBe(`Invalid stream name ${`"${'y'.repeat(79)}`}: it is longer than 255 UTF-8 bytes.`);
  });
});

describe('normalizeStreamNames', () => {
  it('wraps a single name in an array', () => {
    expect(normalizeStreamNames('orders')).toEqual(['orders']);
  });

  it('removes duplicates and keeps the first order', () => {
    expect(normalizeStreamNames(['b', 'a', 'b', 'c', 'a'])).toEqual(['b', 'a', 'c']);
  });

  it('returns a new array and leaves the input alone', () => {
    const input = ['a', 'a'];
    const output = normalizeStreamNames(input);
    expect(output).not.toBe(input);
    expect(input).toEqual(['a', 'a']);
  });

  it('rejects an empty array: a subscription needs at least one stream', () => {
    expect(() => normalizeStreamNames([])).toThrow(FirehoseInvalidStreamNameError);
  });

  it('rejects an invalid name anywhere in the list', () => {
    expect(() => normalizeStreamNames(['ok', ''])).toThrow(FirehoseInvalidStreamNameError);
    expect(() => normalizeStreamNames(['ok', 'bad\n', 'fine'])).toThrow('it contains control characters.');
    expect(() => normalizeStreamNames('')).toThrow(FirehoseInvalidStreamNameError);
  });

  it.each<[string, unknown]>([
    ['a number', 7],
    ['null', null],
    ['an object', { 0: 'a', length: 1 }],
    ['a Set', new Set(['a'])],
  ])('rejects %s that is neither a name nor an array', (_label, value) => {
    expect(() => normalizeStreamNames(value as string[])).toThrow(FirehoseInvalidStreamNameError);
  });
});
