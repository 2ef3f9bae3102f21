import type { DataSource } from 'typeorm';
import { FirehosePayloadTooLargeError } from '../errors/payload-too-large.error.js';
import { dataSourcePool } from '../platform/typeorm-pg-pool.js';
import { isValidTopicId } from '../protocol/topic-name.js';
import { serializeData } from '../publish/serialize-data.js';
import { TopicInvalidIdError } from './errors/topic-invalid-id.error.js';
import { encodeTopicNotification } from './topic-notification.js';
import type { NotifySignature } from '../listener/notify-signature.js';
import { randomBytes } from 'node:crypto';
import { TopicSender, type TopicSql } from './topic-sender.js';
import { shardOf } from './topic-shards.js';
import { TOPIC_SEND_BATCH_SIZE } from './topics.constants.js';

const TOO_LARGE = 'a topic message travels inside one NOTIFY: send less (an id to look up, say), or use a stream';

/** Statements through the DataSource's pg pool (a TypeORM QueryRunner per send costs more than the send), else the DataSource. */
export function topicSql(dataSource: DataSource): TopicSql {
  const pool = dataSourcePool(dataSource);
  if (pool) return (name, text, values) => pool.query({ name, text, values });
  return (_name, text, values) => dataSource.query(text, values);
}

/**
 * The sending side of topics: checks a message, encodes it once for its topic's shard channel,
 * and hands it to the process's sender. Bad input throws here, before it can join a batch.
 */
export class TopicPublisher {
  private readonly sender: TopicSender;
  /** Messages sent by this process; with `sender`, what makes each payload unique. */
  private counter = 0;
  /** This process among the publishers, so receivers can tell a message sent again from a new one. */
  private readonly origin = randomBytes(5).readUIntBE(0, 5).toString(36);

  constructor(
    sql: TopicSql,
    private readonly channels: string[],
    private readonly maxDataBytes: number,
    private readonly notifyMaxBytes: number,
    private readonly signature: NotifySignature,
  ) {
    this.sender = new TopicSender(sql, channels, TOPIC_SEND_BATCH_SIZE);
  }

  get published(): number {
    return this.counter;
  }

  /** Resolves once the message is sent (committed); every subscriber of any instance then receives it. */
  publish(topic: string, data: unknown): Promise<void> {
    if (!isValidTopicId(topic)) throw new TopicInvalidIdError(topic);
    const json = serializeData(data, this.maxDataBytes, TOO_LARGE);
    const shard = shardOf(topic, this.channels.length);
    const origin = { sender: this.origin, seq: this.counter + 1, sentAt: Date.now() };
    const payload = this.signature.sign(this.channels[shard], encodeTopicNotification({ topic, data: json }, origin));
    if (payload.length * 3 > this.notifyMaxBytes) {
      const bytes = Buffer.byteLength(payload);
      if (bytes > this.notifyMaxBytes) throw new FirehosePayloadTooLargeError(bytes, this.notifyMaxBytes, TOO_LARGE);
    }
    this.counter++;
    return this.sender.send(shard, payload);
  }
}
