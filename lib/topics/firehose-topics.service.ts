import { Injectable } from '@nestjs/common';
import { TopicHub } from './topic-hub.js';
import { TopicPublisher } from './topic-publisher.js';
import type { FirehoseTopicsStats } from './topic-stats.interface.js';

/**
 * Ephemeral topics from server code: publish a message to every current subscriber of a topic,
 * on every instance; read this process's counters. Nothing is stored: a subscriber that is not
 * connected when a message is sent never gets it.
 *
 * @publicApi
 */
@Injectable()
export class FirehoseTopicsService {
  /** @internal Nest injects the module's own providers. */
  constructor(
    private readonly publisher: TopicPublisher,
    private readonly hub: TopicHub,
  ) {}

  /**
   * Sends `data` (any JSON value, at most `maxDataBytes` as compact JSON) to the subscribers of
   * `topic`. Resolves once the notification has committed; messages published to one topic from
   * this process arrive in the order of the calls. Rejects with `TopicInvalidIdError`,
   * `FirehosePayloadTooLargeError` or `FirehoseUnserializableDataError` for bad input.
   */
  async publish(topic: string, data: unknown): Promise<void> {
    await this.publisher.publish(topic, data);
  }

  /** Per-topic and total counters of this process: subscribers, ring depth, delivered, dropped. */
  stats(): FirehoseTopicsStats {
    return this.hub.stats(this.publisher.published);
  }
}
