import type { IncomingMessage } from 'node:http';
import { isValidTopicId } from '../../lib/protocol/topic-name.js';
import { TopicsConfigurationError } from '../../lib/topics/errors/topics-configuration.error.js';
import { resolveTopicsOptions } from '../../lib/topics/firehose-topics-options.js';
import { decodeTopicNotification, encodeTopicNotification, TOPIC_NOTIFICATION_OVERHEAD } from '../../lib/topics/topic-notification.js';
import { TopicRing } from '../../lib/topics/topic-ring.js';
import { shardOf, topicChannels } from '../../lib/topics/topic-shards.js';
import { acceptsGzip } from '../../lib/transports/sse/sse-gzip.js';
import { thrown } from '../utils/thrown.js';

describe('TopicRing', () => {
  it('keeps items in order up to its capacity, then drops the oldest for each new one', () => {
    const ring = new TopicRing<number>(4);
    expect([1, 2, 3, 4].map((n) => ring.push(n))).toEqual([true, true, true, true]);
    expect(ring.push(5)).toBe(false);
    expect(ring.push(6)).toBe(false);
    expect(ring.depth).toBe(4);
    expect(ring.takeAll()).toEqual([3, 4, 5, 6]);
    expect(ring.depth).toBe(0);
    ring.push(7);
    expect(ring.takeAll()).toEqual([7]);
  });

  it('refuses a capacity that is not a power of two', () => {
    for (const capacity of [0, 3, 6, 1.5]) expect(() => new TopicRing(capacity)).toThrow(RangeError);
  });
});

describe('topic notifications', () => {
  const origin = (seq: number) => ({ sender: 'k3x9q2a1', seq, sentAt: Date.now() });

  it('reads back what it wrote, with its origin', () => {
    const message = { topic: 'room:1.cursor-x', data: '{"x":1,"s":"a b\\nc"}' };
    for (const seq of [1, 123_456_789]) {
      const from = origin(seq);
      expect(decodeTopicNotification(encodeTopicNotification(message, from))).toEqual({ ...message, ...from });
    }
  });

  it('makes equal messages distinct payloads, which PostgreSQL would otherwise merge in one transaction', () => {
    const message = { topic: 't', data: '1' };
    expect(encodeTopicNotification(message, origin(1))).not.toBe(encodeTopicNotification(message, origin(2)));
  });

  it('keeps its header within TOPIC_NOTIFICATION_OVERHEAD for years to come', () => {
    const message = { topic: 't', data: '1' };
    const header = encodeTopicNotification(message, { sender: 'zzzzzzzz', seq: 36 ** 8 - 1, sentAt: Date.UTC(2100, 0, 1) });
    expect(header.length - message.topic.length - message.data.length).toBeLessThanOrEqual(TOPIC_NOTIFICATION_OVERHEAD);
  });

  it.each([
    ['no separator', 'garbage'],
    ['no data', 's 1 1 topic\n'],
    ['no origin', '1 topic\n1'],
    ['an invalid topic', 's 1 1 ../x\n1'],
    ['a line break in the data (an injected SSE field)', 's 1 1 t\n1\nevent: other'],
    ['a carriage return in the data', 's 1 1 t\n1\rdata: x'],
    ['a queue notification', '{"q":"a","m":1}'],
  ])('refuses a payload with %s', (_, payload) => {
    expect(decodeTopicNotification(payload)).toBeUndefined();
  });
});

describe('topic ids', () => {
  it.each(['a', 'room-1', 'doc:42.cursors', '_x', 'A'.repeat(64)])('accepts %p', (topic) => expect(isValidTopicId(topic)).toBe(true));
  it.each(['', '.', '..', '.hidden', '-x', 'a/b', 'a b', 'é', 'A'.repeat(65), 42, undefined])('refuses %p', (topic) =>
    expect(isValidTopicId(topic)).toBe(false),
  );
});

describe('topic shards', () => {
  it('names one channel per shard after the core channel', () => {
    expect(topicChannels('firehose', 3)).toEqual(['firehose_topic_0', 'firehose_topic_1', 'firehose_topic_2']);
  });

  it('maps a topic to the same shard every time, and spreads topics over every shard', () => {
    expect(shardOf('room-1', 8)).toBe(shardOf('room-1', 8));
    const used = new Set(Array.from({ length: 200 }, (_, i) => shardOf(`room-${i}`, 8)));
    expect([...used].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(shardOf('anything', 1)).toBe(0);
  });
});

describe('acceptsGzip', () => {
  const request = (value?: string) => ({ headers: value === undefined ? {} : { 'accept-encoding': value } }) as IncomingMessage;
  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['br;q=1.0, GZIP;q=0.5', true],
    ['x-gzip', true],
    ['gzip;q=0', false],
    ['deflate, br', false],
    ['', false],
    [undefined, false],
  ])('%p → %p', (value, expected) => expect(acceptsGzip(request(value))).toBe(expected));
});

describe('resolveTopicsOptions', () => {
  it('applies the defaults', () => {
    expect(resolveTopicsOptions({})).toEqual({
      path: '/topics',
      authorizer: undefined,
      guards: [],
      shards: 8,
      ringCapacity: 1024,
      heartbeatInterval: 15_000,
      maxDataBytes: 7850,
      maxPendingBytes: 1024 * 1024,
      sseCompression: false,
    });
    expect(resolveTopicsOptions({ path: '/bus/' }).path).toBe('/bus');
  });

  it.each([
    [{ path: 'topics' }, 'path "topics" must be a URL path starting with "/", e.g. "/topics".'],
    [{ path: '/' }, 'path must not be "/": topics need a base path of their own, e.g. "/topics".'],
    [{ shards: 0 }, 'shards must be a positive integer, got 0.'],
    [{ shards: 257 }, 'shards must be at most 256, got 257.'],
    [{ ringCapacity: 1000 }, 'ringCapacity must be a power of two (e.g. 1024), got 1000.'],
    [{ maxDataBytes: 8000 }, 'maxDataBytes 8000 would not fit one NOTIFY with its topic id; use at most 7850.'],
    [{ heartbeatInterval: 1.5 }, 'heartbeatInterval must be a positive integer, got 1.5.'],
    [{ sseCompression: 'yes' }, 'sseCompression must be true or false, got "yes".'],
    [{ guards: [{}] }, 'guards must be an array of guard classes, e.g. [JwtAuthGuard].'],
  ])('refuses %p', (options, message) => {
    const error = thrown(() => resolveTopicsOptions(options as never));
    expect(error).toBeInstanceOf(TopicsConfigurationError);
    expect(error.message).toBe(`Invalid FirehoseTopicsModule configuration: ${message}`);
  });
});
