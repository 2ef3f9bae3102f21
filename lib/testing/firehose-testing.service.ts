import { AssertionError } from 'node:assert';
import { inspect } from 'node:util';
import { Injectable } from '@nestjs/common';
import { filter, map, Observable, Subject } from 'rxjs';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../firehose.constants.js';
import type { FirehoseService, FirehoseHealth } from '../firehose.service.js';
import type { BroadcastOptions, StreamOptions } from '../interfaces/broadcast-options.interface.js';
import type { FirehoseEvent, FirehoseStreamItem } from '../protocol/firehose-event.js';
import type { FirehoseQueue } from '../interfaces/firehose-queue.interface.js';
import { serializeData } from '../publish/serialize-data.js';
import { assertValidStreamName, normalizeStreamNames } from '../publish/stream-name.js';
import { type BroadcastMatcher, matchesBroadcast } from './broadcast-matcher.js';
import { InMemoryQueue } from './in-memory-queue.js';

/** The part of FirehoseService an app's code calls; the testing service provides all of it. */
type FirehoseServiceApi = Pick<FirehoseService, 'broadcast' | 'stream' | 'queue' | 'health' | 'cleanup'>;

/**
 * Stands in for FirehoseService in an app's unit tests (`FirehoseTestingModule`): no database.
 * Broadcasts are validated as the real service validates them (stream names, JSON data, size),
 * numbered, recorded and emitted to `stream()` subscribers of this process; `expectBroadcast`
 * asserts what was sent.
 *
 * @publicApi
 */
@Injectable()
export class FirehoseTestingService implements FirehoseServiceApi {
  private readonly recorded: FirehoseEvent[] = [];
  private readonly live = new Subject<FirehoseEvent>();
  /** Per stream, its id (in order of first broadcast) and its newest sequence, as the stream rows hold them. */
  private readonly streams = new Map<string, { id: number; sequence: number }>();
  private readonly queues = new Map<string, Set<InMemoryQueue<unknown>>>();

  /** Every broadcast so far, oldest first. */
  get broadcasts(): readonly FirehoseEvent[] {
    return this.recorded;
  }

  /** Records `data` as the next event of `stream`, after the real service's checks. */
  async broadcast<T>(stream: string, data: T, _options: BroadcastOptions = {}): Promise<FirehoseEvent<T>> {
    assertValidStreamName(stream);
    serializeData(data, DEFAULT_MAX_PAYLOAD_BYTES, 'send less data in tests too');
    let row = this.streams.get(stream);
    if (!row) this.streams.set(stream, (row = { id: this.streams.size + 1, sequence: 0 }));
    const sequence = ++row.sequence;
    const event: FirehoseEvent<T> = {
      id: this.recorded.length + 1,
      stream,
      data: structuredClone(data),
      sequence,
      streamId: row.id,
    };
    this.recorded.push(event);
    this.live.next(event);
    return event;
  }

  /** Recorded events of `streams` after `lastEventId` (when given), then every later broadcast. */
  stream<T = unknown>(streams: string | string[], options: StreamOptions = {}): Observable<FirehoseStreamItem<T>> {
    const names = new Set(normalizeStreamNames(streams));
    const after = options.lastEventId;
    return new Observable<FirehoseStreamItem<T>>((subscriber) => {
      if (after !== undefined)
        for (const event of this.recorded) if (event.id > after && names.has(event.stream)) subscriber.next(event as FirehoseEvent<T>);
      options.onLive?.();
      return this.live
        .pipe(
          filter((event) => names.has(event.stream)),
          map((event) => event as FirehoseEvent<T>),
        )
        .subscribe(subscriber);
    });
  }

  /** An in-memory queue: every handle open on `name` receives every message pushed to it. */
  queue<T = unknown>(name: string): FirehoseQueue<T> {
    assertValidStreamName(name);
    let handles = this.queues.get(name);
    if (!handles) this.queues.set(name, (handles = new Set()));
    const open = handles;
    const queue = new InMemoryQueue<T>(
      name,
      (message) => {
        for (const handle of open) handle.receive(message);
      },
      () => open.delete(queue as InMemoryQueue<unknown>),
    );
    open.add(queue as InMemoryQueue<unknown>);
    return queue;
  }

  /** Always connected: there is no LISTEN connection. */
  health(): FirehoseHealth {
    return { listener: 'connected' };
  }

  /** Nothing to clean up: events live as long as the testing module. */
  async cleanup(): Promise<void> {}

  /**
   * Throws an AssertionError unless some broadcast to `stream` has data matching `matcher` (see
   * BroadcastMatcher; without one, any data). Returns the first matching event.
   */
  expectBroadcast<T = unknown>(stream: string, matcher?: BroadcastMatcher): FirehoseEvent<T> {
    const match = this.recorded.find(
      (event) => event.stream === stream && (matcher === undefined || matchesBroadcast(event.data, matcher)),
    );
    if (match) return match as FirehoseEvent<T>;
    const sent = this.recorded.filter((event) => event.stream === stream).map((event) => event.data);
    throw new AssertionError({
      message:
        `Expected a broadcast to "${stream}"${matcher === undefined ? '' : ` matching ${inspect(matcher, { depth: 4 })}`}, ` +
        (sent.length === 0
          ? `but none was sent to it (streams broadcast to: ${this.streamsSoFar()}).`
          : `but it got: ${inspect(sent, { depth: 4 })}.`),
      stackStartFn: this.expectBroadcast,
    });
  }

  /** Throws an AssertionError if anything was broadcast to `stream`. */
  expectNoBroadcast(stream: string): void {
    const sent = this.recorded.filter((event) => event.stream === stream);
    if (sent.length === 0) return;
    throw new AssertionError({
      message: `Expected no broadcast to "${stream}", but it got ${sent.length}: ${inspect(
        sent.map((e) => e.data),
        { depth: 4 },
      )}.`,
      stackStartFn: this.expectNoBroadcast,
    });
  }

  /** Forgets every recorded broadcast (between tests sharing one module). */
  reset(): void {
    this.recorded.length = 0;
    this.streams.clear();
  }

  private streamsSoFar(): string {
    const names = [...new Set(this.recorded.map((event) => event.stream))];
    return names.length === 0 ? 'none' : names.map((name) => `"${name}"`).join(', ');
  }
}
