import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { FirehoseEvent, FirehoseReset, FirehoseStreamItem } from '../protocol/firehose-event.js';
import { readEventNotification, type EventNotificationReader, type EventReference } from '../protocol/notify-payload.js';
import type { FirehoseStore } from '../store/firehose.store.js';
import type { NotificationChannelHandler } from '../listener/notification-channel-handler.interface.js';
import type { FirehoseStats } from '../stats/firehose-stats.js';
import type { HubSubscriber } from './hub-subscriber.interface.js';

type Notified = { kind: 'event'; event: FirehoseEvent } | { kind: 'ref'; event: EventReference };
type Task = Notified | { kind: 'catch-up'; done: (error?: unknown) => void };

const FETCH_RETRY_DELAY = 500;

/**
 * The process's single ordered pipeline from the listener to local subscribers. Ids are
 * commit-ordered, so notifications arrive in id order; events sent by reference are fetched in
 * that same order, so a slow fetch never lets a later event overtake. After every (re)connect the
 * pipeline first catches up from the table, then goes on with live notifications, dropping any id
 * it has already delivered.
 */
export class FirehoseHub implements NotificationChannelHandler, EventNotificationReader, OnApplicationShutdown {
  private readonly logger = new Logger('Firehose');
  /** firehose_append signs every payload: the listener passes on only those it signed. */
  readonly signed = true;
  private readonly subscribers = new Map<string, Set<HubSubscriber>>();
  private readonly tasks: Task[] = [];
  private pumping = false;
  private closed = false;
  /** Highest id delivered (or known to need no delivery); undefined until the first LISTEN. */
  private lastId: number | undefined;

  constructor(
    private readonly store: FirehoseStore,
    readonly channel: string,
    private readonly replayBatchSize: number,
    readonly stats: FirehoseStats,
  ) {}

  /** Registers a local subscriber for live events of `streams`; returns its unsubscribe function. */
  subscribe(streams: readonly string[], subscriber: HubSubscriber): () => void {
    this.add(streams, subscriber);
    return () => this.remove(streams, subscriber);
  }

  /** `subscribe` without the closure, for subscribers that keep their own streams (one per connection). */
  add(streams: readonly string[], subscriber: HubSubscriber): void {
    for (const stream of streams) {
      let set = this.subscribers.get(stream);
      if (!set) this.subscribers.set(stream, (set = new Set()));
      const size = set.size;
      if (set.add(subscriber).size > size) this.stats.subscribed(stream, subscriber.transport);
    }
  }

  remove(streams: readonly string[], subscriber: HubSubscriber): void {
    for (const stream of streams) {
      const set = this.subscribers.get(stream);
      if (!set?.delete(subscriber)) continue;
      this.stats.unsubscribed(stream, subscriber.transport);
      if (set.size === 0) this.subscribers.delete(stream);
    }
  }

  /** Called by the listener once LISTEN is in effect: catch up before any new notification. */
  onListening(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.push({ kind: 'catch-up', done: (error) => (error ? reject(error) : resolve()) });
    });
  }

  /** One notification of the event channel (protocol/notify-payload.ts): only parses and enqueues. */
  onNotification(payload: string): void {
    readEventNotification(payload, this);
  }

  notifiedEvent(event: FirehoseEvent): void {
    this.push({ kind: 'event', event });
  }

  notifiedReference(event: EventReference): void {
    this.push({ kind: 'ref', event });
  }

  ignoredNotification(what: string, payload: string): void {
    this.logger.warn(`Ignored ${what}: ${payload.slice(0, 100)}`);
  }

  onApplicationShutdown(): void {
    this.closed = true;
    const all = new Set([...this.subscribers.values()].flatMap((set) => [...set]));
    this.subscribers.clear();
    for (const subscriber of all) subscriber.complete?.();
  }

  private push(task: Task): void {
    this.tasks.push(task);
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.tasks.length > 0 && !this.closed) {
        const head = this.tasks[0];
        if (head.kind === 'event') {
          this.tasks.shift();
          this.deliver(head.event);
        } else if (head.kind === 'ref') {
          await this.deliverReferences();
        } else {
          this.tasks.shift();
          try {
            await this.catchUp();
            head.done();
          } catch (error) {
            head.done(error);
          }
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Fetches the run of by-reference events at the head of the queue and delivers them in order. */
  private async deliverReferences(): Promise<void> {
    let end = 0;
    while (end < this.tasks.length && this.tasks[end].kind === 'ref') end++;
    const run = this.tasks.slice(0, end) as Array<Extract<Task, { kind: 'ref' }>>;
    const wanted = run.filter((t) => this.subscribers.has(t.event.stream) && t.event.id > (this.lastId ?? 0)).map((t) => t.event.id);
    let fetched = new Map<number, FirehoseEvent>();
    if (wanted.length > 0) {
      try {
        fetched = await this.store.fetchByIds(wanted);
      } catch (error) {
        this.logger.warn(`Fetching ${wanted.length} events by id failed (${(error as Error).message}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, FETCH_RETRY_DELAY));
        return;
      }
    }
    this.tasks.splice(0, end);
    for (const { event } of run) {
      const full = fetched.get(event.id);
      if (full) this.deliver(full);
      else if (wanted.includes(event.id)) {
        // Cleanup deleted it before we could read it: the subscribers have missed it.
        this.dispatch(event.stream, { type: 'reset', stream: event.stream, lastEventId: event.id, reason: 'history-trimmed' });
        this.lastId = Math.max(this.lastId ?? 0, event.id);
      } else this.lastId = Math.max(this.lastId ?? 0, event.id);
    }
  }

  /**
   * Delivers every event of the locally active streams committed since `lastId`, from the table.
   * Runs while the listener holds back the new connection's notifications.
   */
  private async catchUp(): Promise<void> {
    const streams = [...this.subscribers.keys()];
    if (this.lastId === undefined || streams.length === 0) {
      this.lastId = Math.max(this.lastId ?? 0, await this.store.maxId());
      return;
    }
    const afters = streams.map(() => this.lastId!);
    let caughtUp = 0;
    for (;;) {
      const page = await this.store.readAfter(streams, afters, this.replayBatchSize);
      let resetTop = 0;
      for (const reset of page.resets) {
        this.dispatch(reset.stream, reset);
        afters[streams.indexOf(reset.stream)] = reset.lastEventId;
        resetTop = Math.max(resetTop, reset.lastEventId);
      }
      for (const event of page.events) this.deliver(event);
      caughtUp += page.events.length;
      for (let i = 0; i < afters.length; i++) afters[i] = Math.max(afters[i], this.lastId);
      if (page.events.length < this.replayBatchSize) {
        this.lastId = Math.max(this.lastId, resetTop);
        break;
      }
    }
    if (caughtUp > 0) this.logger.log(`Caught up ${caughtUp} events committed while the listener was away`);
  }

  private deliver(event: FirehoseEvent): void {
    if (this.lastId !== undefined && event.id <= this.lastId) return;
    this.lastId = event.id;
    this.dispatch(event.stream, event);
    this.stats.fannedOut(event.stream, event.id);
  }

  private dispatch(stream: string, item: FirehoseStreamItem | FirehoseReset): void {
    const set = this.subscribers.get(stream);
    if (!set) return;
    for (const subscriber of set) {
      try {
        subscriber.next(item);
      } catch (error) {
        this.logger.error(`A subscriber of "${stream}" threw: ${(error as Error).message}`);
      }
    }
  }
}
