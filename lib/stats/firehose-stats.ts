import { hostname } from 'node:os';
import type { ListenerState } from '../listener/listener-state.js';
import { DELIVERY_TRANSPORTS, type DeliveryTransport } from './delivery-transport.js';
import type { FirehoseStatsObserver } from './firehose-stats-observer.interface.js';
import type { FirehoseDeliveryFigures, FirehoseNotifyQueueFigures, FirehoseStatsSnapshot } from './firehose-stats-snapshot.interface.js';
import type { FirehoseStatsSource } from './firehose-stats-source.interface.js';
import { StreamFigures } from './stream-figures.js';

/** No latency sample outstanding: every event id compares below it. */
const NO_SAMPLE = Number.POSITIVE_INFINITY;
/** A sample whose event never reached a subscriber here (a stream nobody reads) is given up after this. */
const SAMPLE_TIMEOUT_MS = 10_000;

/** What the snapshot takes from parts the stats do not hold. */
export interface FirehoseStatsContext {
  listener: { state: ListenerState; reconnects: number };
  draining: boolean;
  streamLimit: number;
}

/** Counters that only grow, and the gauges beside them, as the metrics read them. */
export interface FirehoseCounters {
  broadcasts: number;
  batches: number;
  replayedRows: number;
  delivered: Readonly<Record<DeliveryTransport, number>>;
  dropped: Readonly<Record<DeliveryTransport, number>>;
  subscribers: Readonly<Record<DeliveryTransport, number>>;
  notifyQueueUsage: number | undefined;
}

/**
 * The process's figures, which the hot paths report into and the operations module reads. Every
 * report is a few integer additions with no allocation: deliveries are counted once per event,
 * from per-stream subscriber counts kept up to date as subscribers come and go, never per
 * connection. Feature modules add their own figures as a `FirehoseStatsSource`.
 */
export class FirehoseStats {
  private broadcasts = 0;
  private batches = 0;
  private replayedRows = 0;
  private readonly delivered: Record<DeliveryTransport, number> = { websocket: 0, sse: 0, local: 0 };
  private readonly dropped: Record<DeliveryTransport, number> = { websocket: 0, sse: 0, local: 0 };
  private readonly subscribers: Record<DeliveryTransport, number> = { websocket: 0, sse: 0, local: 0 };
  private readonly streams = new Map<string, StreamFigures>();
  private readonly sources = new Map<string, FirehoseStatsSource>();
  private readonly observers = new Set<FirehoseStatsObserver>();
  private notifyQueue: FirehoseNotifyQueueFigures | null = null;
  /** The id of the broadcast whose way to its subscribers is being timed, and when it committed. */
  private sampleId = NO_SAMPLE;
  private sampleCommittedAt = 0;
  /** The newest event id fanned out here: a batch's notification may come back before its write resolves. */
  private lastFannedOut = 0;
  private latencyFrom = 0;

  /** Adds a source of figures; returns the function that removes it. */
  register(source: FirehoseStatsSource): () => void {
    if (this.sources.has(source.name)) throw new Error(`A stats source named "${source.name}" is registered already.`);
    this.sources.set(source.name, source);
    return () => this.sources.get(source.name) === source && this.sources.delete(source.name);
  }

  /** Adds an observer of batches and latencies; returns the function that removes it. */
  observe(observer: FirehoseStatsObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  subscribed(stream: string, transport: DeliveryTransport = 'local'): void {
    let figures = this.streams.get(stream);
    if (!figures) this.streams.set(stream, (figures = new StreamFigures()));
    figures.add(transport, 1);
    this.subscribers[transport]++;
  }

  unsubscribed(stream: string, transport: DeliveryTransport = 'local'): void {
    const figures = this.streams.get(stream);
    if (!figures) return;
    figures.add(transport, -1);
    this.subscribers[transport]--;
    if (figures.subscribers === 0) this.streams.delete(stream);
  }

  /** The hub handed event `id` of `stream` to the stream's subscribers: once per event, whatever their number. */
  fannedOut(stream: string, id: number): void {
    const figures = this.streams.get(stream);
    if (figures !== undefined) {
      this.delivered.websocket += figures.websocket;
      this.delivered.sse += figures.sse;
      this.delivered.local += figures.local;
      figures.delivered += figures.websocket + figures.sse + figures.local;
    }
    this.lastFannedOut = id;
    if (id >= this.sampleId) this.sampleReached(id);
  }

  /** Subscribers of `streams` were cut off for not reading. */
  droppedSlow(transport: DeliveryTransport, streams: Iterable<string>): void {
    this.dropped[transport]++;
    for (const stream of streams) {
      const figures = this.streams.get(stream);
      if (figures) figures.dropped++;
    }
  }

  replayed(rows: number): void {
    this.replayedRows += rows;
  }

  /** A group-commit batch of `size` broadcasts committed; `startedAt` is the `performance.now()` of its write. */
  batchCommitted(size: number, lastId: number, startedAt: number): void {
    this.broadcasts += size;
    this.batches++;
    if (this.observers.size === 0) return;
    const now = performance.now();
    for (const observer of this.observers) observer.batchCommitted?.(size, (now - startedAt) / 1000);
    // One broadcast at a time is followed to its fan-out: the cost stays per batch, not per event.
    if (this.sampleId !== NO_SAMPLE && now - this.sampleCommittedAt <= SAMPLE_TIMEOUT_MS) return;
    if (lastId <= this.lastFannedOut) {
      // Its notification won the race with the write's answer: the fan-out is already done.
      this.sampleId = NO_SAMPLE;
      this.latencyFrom = startedAt;
      this.recordLatency();
      return;
    }
    this.sampleId = lastId;
    this.sampleCommittedAt = startedAt;
  }

  /** A broadcast written in the caller's own transaction. */
  broadcastInTransaction(): void {
    this.broadcasts++;
  }

  reportNotifyQueue(figures: FirehoseNotifyQueueFigures): void {
    this.notifyQueue = figures;
  }

  /** Open connections by source (`websocket`, `sse`, …). */
  connections(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const source of this.sources.values()) if (source.connections) counts.set(source.name, source.connections());
    return counts;
  }

  counters(): FirehoseCounters {
    return {
      broadcasts: this.broadcasts,
      batches: this.batches,
      replayedRows: this.replayedRows,
      delivered: this.delivered,
      dropped: this.dropped,
      subscribers: this.subscribers,
      notifyQueueUsage: this.notifyQueue?.usage,
    };
  }

  snapshot(context: FirehoseStatsContext): FirehoseStatsSnapshot {
    const connections: FirehoseStatsSnapshot['connections'] = { total: 0 };
    for (const [name, count] of this.connections()) {
      connections[name] = count;
      connections.total += count;
    }
    const transports = {} as Record<DeliveryTransport, FirehoseDeliveryFigures>;
    let subscribers = 0;
    let delivered = 0;
    let dropped = 0;
    for (const transport of DELIVERY_TRANSPORTS) {
      transports[transport] = {
        subscribers: this.subscribers[transport],
        delivered: this.delivered[transport],
        dropped: this.dropped[transport],
      };
      subscribers += this.subscribers[transport];
      delivered += this.delivered[transport];
      dropped += this.dropped[transport];
    }
    return {
      at: new Date().toISOString(),
      instance: { pid: process.pid, hostname: hostname(), uptimeSeconds: Math.round(process.uptime()) },
      draining: context.draining,
      listener: { ...context.listener },
      notifyQueue: this.notifyQueue && { ...this.notifyQueue },
      connections,
      totals: {
        broadcasts: this.broadcasts,
        batches: this.batches,
        streams: this.streams.size,
        subscribers,
        delivered,
        dropped,
        replayedRows: this.replayedRows,
      },
      transports,
      streams: this.busiestStreams(context.streamLimit),
      features: this.features(),
    };
  }

  private busiestStreams(limit: number): Record<string, FirehoseDeliveryFigures> {
    const entries = [...this.streams].sort(([, a], [, b]) => b.subscribers - a.subscribers).slice(0, limit);
    const streams: Record<string, FirehoseDeliveryFigures> = {};
    for (const [name, figures] of entries) {
      streams[name] = { subscribers: figures.subscribers, delivered: figures.delivered, dropped: figures.dropped };
    }
    return streams;
  }

  private features(): Record<string, unknown> {
    const features: Record<string, unknown> = {};
    for (const source of this.sources.values()) {
      if (!source.stats) continue;
      try {
        features[source.name] = source.stats();
      } catch (error) {
        features[source.name] = { error: String(error) };
      }
    }
    return features;
  }

  private sampleReached(id: number): void {
    if (id === this.sampleId) {
      this.latencyFrom = this.sampleCommittedAt;
      // Queued after the transports' end-of-run flushes, so the time includes the writes.
      queueMicrotask(this.recordLatency);
    }
    this.sampleId = NO_SAMPLE;
  }

  private readonly recordLatency = (): void => {
    const seconds = (performance.now() - this.latencyFrom) / 1000;
    for (const observer of this.observers) observer.deliveryLatency?.(seconds);
  };
}
