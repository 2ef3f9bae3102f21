import { Logger } from '@nestjs/common';
import type { NotificationChannelHandler } from '../listener/notification-channel-handler.interface.js';
import { type TopicCounters, TopicDispatcher } from './topic-dispatcher.js';
import { decodeTopicNotification } from './topic-notification.js';
import { NotificationReplayGuard } from '../listener/notification-replay-guard.js';
import type { FirehoseTopicsStats } from './topic-stats.interface.js';
import type { TopicSubscriber } from './topic-subscriber.js';

/**
 * The receiving side of topics in one process: a handler per shard channel on the process's one
 * LISTEN connection, and a dispatcher per topic that has subscribers here. Notifications of topics
 * nobody here subscribes to cost a parse and nothing else. Nothing is stored, so there is nothing
 * to catch up on after a reconnect: what was sent meanwhile is missed, as the topic contract says.
 */
export class TopicHub {
  private readonly logger = new Logger('FirehoseTopics');
  private readonly topics = new Map<string, TopicDispatcher>();
  private readonly totals: TopicCounters & { received: number; ignored: number } = {
    received: 0,
    ignored: 0,
    delivered: 0,
    dropped: 0,
    droppedSubscribers: 0,
  };
  /** One per shard channel, to register with the LISTEN connection. */
  readonly handlers: NotificationChannelHandler[];
  /** Copies of signed messages sent again by another role are refused, as for queue messages. */
  private readonly replays = new NotificationReplayGuard();

  constructor(
    channels: string[],
    private readonly ringCapacity: number,
    private readonly maxPendingBytes: number,
  ) {
    this.handlers = channels.map((channel) => ({
      channel,
      // The listener passes on only payloads signed with the app's key, without the signature.
      signed: true,
      onNotification: (payload: string) => this.receive(payload),
      onListening: async () => undefined,
    }));
  }

  subscribe(subscriber: TopicSubscriber): void {
    let dispatcher = this.topics.get(subscriber.topic);
    if (!dispatcher) {
      dispatcher = new TopicDispatcher(subscriber.topic, this.ringCapacity, this.maxPendingBytes, this.totals, this.logger);
      this.topics.set(subscriber.topic, dispatcher);
    }
    dispatcher.subscribers.add(subscriber);
  }

  unsubscribe(subscriber: TopicSubscriber): void {
    const dispatcher = this.topics.get(subscriber.topic);
    if (dispatcher?.subscribers.delete(subscriber) && dispatcher.subscribers.size === 0) this.topics.delete(subscriber.topic);
  }

  stats(published: number): FirehoseTopicsStats {
    const topics = [...this.topics.values()].map((dispatcher) => dispatcher.stats());
    return {
      topics,
      totals: {
        topics: topics.length,
        subscribers: topics.reduce((sum, topic) => sum + topic.subscribers, 0),
        published,
        ...this.totals,
      },
    };
  }

  private receive(payload: string): void {
    const message = decodeTopicNotification(payload);
    if (!message) {
      this.totals.ignored++;
      this.logger.warn(`Ignored a notification on a topic channel that is not a topic message: ${payload.slice(0, 100)}`);
      return;
    }
    if (this.replays.admit(message.sender, message.seq, message.sentAt) !== 'fresh') {
      this.totals.ignored++;
      return;
    }
    this.totals.received++;
    this.topics.get(message.topic)?.push(message.data);
  }
}
