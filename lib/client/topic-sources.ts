import { FIREHOSE_TOPIC_EVENT, type FirehoseTopicDetail } from './firehose-events.js';
import type { FirehoseDispatch } from './firehose-connection.js';

interface TopicSource {
  source: EventSource;
  listeners: Set<(data: unknown) => void>;
}

/**
 * The page's EventSources of ephemeral topics, one per topic URL however many listeners it has:
 * browsers allow only a few HTTP/1.1 connections per origin. The EventSource reconnects by itself
 * (after the server's `retry:` delay) when a stream ends; a topic has nothing to resume, so what
 * was sent meanwhile is missed, as the topic contract says.
 */
export class TopicSources {
  private readonly sources = new Map<string, TopicSource>();

  constructor(private readonly dispatch: FirehoseDispatch) {}

  /** Adds a listener of `url`'s messages; the returned function removes it (and closes the source after the last). */
  listen(url: string, path: string, topic: string, onMessage: ((data: unknown) => void) | undefined): () => void {
    let entry = this.sources.get(url);
    if (!entry) {
      const source = new EventSource(url);
      const listeners = new Set<(data: unknown) => void>();
      source.addEventListener('message', (event) => {
        let data: unknown;
        try {
          data = JSON.parse((event as MessageEvent<string>).data);
        } catch {
          return;
        }
        for (const listener of [...listeners]) listener(data);
        this.dispatch(FIREHOSE_TOPIC_EVENT, { path, topic, data } satisfies FirehoseTopicDetail);
      });
      entry = { source, listeners };
      this.sources.set(url, entry);
    }
    // A function of its own per call, so the same callback listening twice is removed once per stop.
    const listener = (data: unknown) => onMessage?.(data);
    entry.listeners.add(listener);
    const current = entry;
    return () => {
      if (!current.listeners.delete(listener) || current.listeners.size > 0) return;
      current.source.close();
      if (this.sources.get(url) === current) this.sources.delete(url);
    };
  }
}
