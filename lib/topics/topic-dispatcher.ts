import type { Logger } from '@nestjs/common';
import { SseChunk } from '../transports/sse/sse-chunk.js';
import { topicMessageFrame } from './topic-frames.js';
import { TopicRing } from './topic-ring.js';
import type { TopicStats } from './topic-stats.interface.js';
import type { TopicSubscriber } from './topic-subscriber.js';

/** Counters every dispatcher of a process adds to, so they outlive the topics. */
export interface TopicCounters {
  delivered: number;
  dropped: number;
  droppedSubscribers: number;
}

/**
 * One topic's fan-out in this process. Notifications are pushed into the ring as they are read
 * (the listener must only enqueue); the ring is drained on the next turn of the event loop, so a
 * burst read from the LISTEN connection at once is bounded by the ring and the oldest messages
 * give way. A drain sends every waiting message as one chunk, the same Buffer for every
 * subscriber; once the sockets have taken what they can, a subscriber with more than
 * `maxPendingBytes` still waiting is hung up on, and the others never wait for it.
 */
export class TopicDispatcher {
  readonly subscribers = new Set<TopicSubscriber>();
  private readonly ring: TopicRing<string>;
  private scheduled = false;
  private delivered = 0;
  private dropped = 0;
  private droppedSubscribers = 0;

  constructor(
    readonly topic: string,
    capacity: number,
    private readonly maxPendingBytes: number,
    private readonly totals: TopicCounters,
    private readonly logger: Logger,
  ) {
    this.ring = new TopicRing(capacity);
  }

  /** A message's compact JSON, as notified. */
  push(data: string): void {
    if (!this.ring.push(data)) {
      this.dropped++;
      this.totals.dropped++;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.drain);
  }

  stats(): TopicStats {
    return {
      topic: this.topic,
      subscribers: this.subscribers.size,
      ringDepth: this.ring.depth,
      delivered: this.delivered,
      dropped: this.dropped,
      droppedSubscribers: this.droppedSubscribers,
    };
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    const messages = this.ring.takeAll();
    if (messages.length === 0 || this.subscribers.size === 0) return;
    let frames = '';
    for (const data of messages) frames += topicMessageFrame(data);
    const chunk = new SseChunk(Buffer.from(frames));
    const subscribers = [...this.subscribers];
    for (const subscriber of subscribers) subscriber.write(chunk);
    const delivered = messages.length * subscribers.length;
    this.delivered += delivered;
    this.totals.delivered += delivered;
    // Socket writes may wait for the next tick; after it, only a client that does not read still holds them.
    setImmediate(() => this.dropSlow(subscribers));
  };

  private dropSlow(subscribers: TopicSubscriber[]): void {
    for (const subscriber of subscribers) {
      const pending = subscriber.pendingBytes;
      if (pending <= this.maxPendingBytes) continue;
      this.logger.warn(
        `A subscriber of topic "${this.topic}" is not reading: ${pending} bytes wait for it, more than maxPendingBytes (${this.maxPendingBytes}); its response is ended and it will reconnect.`,
      );
      subscriber.drop();
      this.droppedSubscribers++;
      this.totals.droppedSubscribers++;
    }
  }
}
