import { TOPIC_CHANNEL_INFIX } from './topics.constants.js';

/** The shard channels, `{notifyChannel}_topic_{i}`: identifiers of at most 63 bytes, as LISTEN requires. */
export function topicChannels(notifyChannel: string, shards: number): string[] {
  return Array.from({ length: shards }, (_, i) => `${notifyChannel}${TOPIC_CHANNEL_INFIX}${i}`);
}

/**
 * The shard of `topic`: FNV-1a over its characters (ASCII, by the topic-id rule), so every
 * process maps a topic to the same channel, and one topic always leaves through one sender,
 * which is what keeps its messages in order.
 */
export function shardOf(topic: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < topic.length; i++) hash = Math.imul(hash ^ topic.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % shards;
}
