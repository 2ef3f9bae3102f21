import { FirehoseConnection, type FirehoseDispatch } from './firehose-connection.js';
import { FIREHOSE_ERROR_EVENT, type FirehoseConnectionState, type FirehoseErrorDetail } from './firehose-events.js';
import { DEFAULT_RECONNECT_POLICY, type ReconnectPolicy } from './reconnect-delay.js';
import { isValidStreamName, parseStreams } from '../protocol/stream-name.js';
import { websocketUrl } from './websocket-url.js';
import { isValidTopicId, TOPIC_ID_RULE } from '../protocol/topic-name.js';
import { TopicSources } from './topic-sources.js';

/** Options of `Firehose.configure()`. */
export type FirehoseClientOptions = Partial<ReconnectPolicy>;

/** Options of `Firehose.listenTopic()` and `Firehose.publishTopic()`. */
export interface TopicClientOptions {
  /** Base path of the topic routes, as given to `FirehoseTopicsModule.forRoot`. @default '/topics' */
  path?: string;
}

const DEFAULT_TOPICS_PATH = '/topics';

/**
 * The page's Firehose client: `Firehose.subscribe(path, streams)` and
 * `Firehose.unsubscribe(path, streams)`, as in the Firehose protocol's own client. One WebSocket per path, shared by every
 * subscription to it; events reach the page as `firehose:message` on `document`.
 */
export class FirehoseClient {
  private readonly connections = new Map<string, FirehoseConnection>();
  private policy: ReconnectPolicy = { ...DEFAULT_RECONNECT_POLICY };
  private topicSources?: TopicSources;

  constructor(
    private readonly target: EventTarget | undefined = globalThis.document,
    private readonly base: string | undefined = globalThis.location?.href,
  ) {
    // A laptop waking up or a train leaving a tunnel: try at once rather than after the backoff.
    globalThis.addEventListener?.('online', () => {
      for (const connection of this.connections.values()) connection.retryNow();
    });
  }

  /** Changes the reconnect backoff (first delay and cap, in ms) for every path, from the next retry on. */
  configure(options: FirehoseClientOptions): void {
    const next = { ...this.policy, ...options };
    if (!(next.reconnectDelay > 0) || !(next.maxReconnectDelay >= next.reconnectDelay)) {
      throw new RangeError(
        'Firehose.configure: reconnectDelay must be above 0 and maxReconnectDelay at least reconnectDelay (both in ms).',
      );
    }
    this.policy = next;
  }

  /** Receive `streams` (an array, or names separated by commas) from the Firehose endpoint at `path`. */
  subscribe(path: string, streams: string | readonly string[]): void {
    const names = parseStreams(streams);
    if (names.length === 0) return;
    const connection = this.connection(path);
    const invalid = names.filter((name) => !isValidStreamName(name));
    if (invalid.length > 0) {
      // Reported as the server would, and never sent: one bad name would refuse the whole command.
      this.dispatch(FIREHOSE_ERROR_EVENT, {
        path: connection.path,
        code: 'invalid-stream',
        message: `Invalid stream names (empty, over 255 UTF-8 bytes, or with control characters): ${invalid.map((name) => JSON.stringify(name)).join(', ')}.`,
        streams: invalid,
      } satisfies FirehoseErrorDetail);
    }
    const valid = names.filter(isValidStreamName);
    if (valid.length > 0) connection.add(valid);
  }

  /** Undo one `subscribe` of these streams; the socket closes once the path has no stream left. */
  unsubscribe(path: string, streams: string | readonly string[]): void {
    const names = parseStreams(streams);
    if (names.length > 0) this.connections.get(this.key(path))?.remove(names);
  }

  /** `idle` (no subscription), `connecting`, `open` or `reconnecting`. */
  state(path: string): FirehoseConnectionState {
    return this.connections.get(this.key(path))?.state ?? 'idle';
  }

  /**
   * The streams the page receives at `path`: those it subscribed to, less those the server refused
   * (asked again when the page subscribes to them anew or the socket reconnects).
   */
  streams(path: string): string[] {
    return this.connections.get(this.key(path))?.served ?? [];
  }

  /** The id of the newest event received at `path`: where a reconnect resumes. */
  lastEventId(path: string): number | undefined {
    return this.connections.get(this.key(path))?.lastEventId;
  }

  /**
   * Receive the messages of an ephemeral topic (`GET {path}/{topic}/events`, Server-Sent Events):
   * each one is passed to `onMessage` and dispatched as `firehose:topic` on `document`. Returns a
   * function that stops listening. Topics keep nothing: only messages sent while the page listens
   * arrive, and a reconnect misses what was sent meanwhile.
   */
  listenTopic<T = unknown>(topic: string, onMessage?: (data: T) => void, options: TopicClientOptions = {}): () => void {
    const path = options.path ?? DEFAULT_TOPICS_PATH;
    this.topicSources ??= new TopicSources(this.dispatch);
    return this.topicSources.listen(this.topicUrl(topic, path), path, topic, onMessage as ((data: unknown) => void) | undefined);
  }

  /** Send `data` (any JSON value) to every listener of `topic`, on every instance (`POST {path}/{topic}/events`). */
  async publishTopic(topic: string, data: unknown, options: TopicClientOptions = {}): Promise<void> {
    const response = await fetch(this.topicUrl(topic, options.path ?? DEFAULT_TOPICS_PATH), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data }),
    });
    if (!response.ok) {
      const answer = (await response.json().catch(() => undefined)) as { message?: unknown } | undefined;
      throw new Error(
        `Firehose: publishing to topic "${topic}" failed (${response.status}): ${String(answer?.message ?? response.statusText)}`,
      );
    }
  }

  private topicUrl(topic: string, path: string): string {
    if (!isValidTopicId(topic)) throw new TypeError(`Firehose: invalid topic id ${JSON.stringify(topic)}; a topic id is ${TOPIC_ID_RULE}.`);
    return `${path.replace(/\/+$/, '')}/${topic}/events`;
  }

  private readonly dispatch: FirehoseDispatch = (type, detail) => this.target?.dispatchEvent(new CustomEvent(type, { detail }));

  private connection(path: string): FirehoseConnection {
    const key = this.key(path);
    let connection = this.connections.get(key);
    if (!connection) {
      connection = new FirehoseConnection(path, key, () => this.policy, this.dispatch);
      this.connections.set(key, connection);
    }
    return connection;
  }

  /** Paths that name the same endpoint (`/firehose`, `http://host/firehose`) share one socket. */
  private key(path: string): string {
    if (typeof path !== 'string' || path === '') {
      throw new TypeError(`Firehose: expected the endpoint's path (e.g. "/firehose"), got ${JSON.stringify(path)}.`);
    }
    if (this.base === undefined && !/^wss?:/i.test(path)) {
      throw new TypeError(`Firehose: "${path}" is relative and there is no page URL to resolve it against; pass a ws:// or wss:// URL.`);
    }
    return websocketUrl(path, this.base ?? path);
  }
}
