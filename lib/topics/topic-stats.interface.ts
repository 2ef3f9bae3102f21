/**
 * One topic's counters in this process, while it has subscribers here.
 *
 * @publicApi
 */
export interface TopicStats {
  /** The topic id. */
  topic: string;
  /** Open subscriber streams in this process. */
  subscribers: number;
  /** Messages waiting in the topic's ring for the next fan-out (usually 0). */
  ringDepth: number;
  /** Messages handed to subscribers' sockets, counted once per subscriber. */
  delivered: number;
  /** Messages dropped from a full ring (the oldest first) before any subscriber got them. */
  dropped: number;
  /** Subscribers hung up on because they did not read fast enough. */
  droppedSubscribers: number;
}

/**
 * What `FirehoseTopicsService.stats()` reports: this process's view, kept in memory.
 *
 * @publicApi
 */
export interface FirehoseTopicsStats {
  /** The topics with subscribers in this process. */
  topics: TopicStats[];
  /** Counters of this process since it started, over every topic, past ones included. */
  totals: {
    /** Topics with subscribers now. */
    topics: number;
    /** Open subscriber streams now. */
    subscribers: number;
    /** Messages this process published (sent by NOTIFY). */
    published: number;
    /** Topic notifications this process received, for any topic. */
    received: number;
    /** Notifications on the topic channels that were not a topic message, and were ignored. */
    ignored: number;
    delivered: number;
    dropped: number;
    droppedSubscribers: number;
  };
}
