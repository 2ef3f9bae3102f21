import type { WebSocket } from 'ws';
import type { EventStreamReader, EventStreamReaderFactory, EventStreamSink } from '../../delivery/event-stream-reader.js';
import type { FirehoseConnectionContext } from '../../interfaces/firehose-authorizer.interface.js';
import { isFirehoseReset, type FirehoseEvent, type FirehoseStreamItem } from '../../protocol/firehose-event.js';
import { authorizeStreams, NO_AUTHORIZER_MESSAGE } from '../connection/authorized-streams.js';
import { CommandRateLimit } from '../connection/command-rate-limit.js';
import { parseWsCommand, type WsSubscribeCommand, type WsUnsubscribeCommand } from './parse-ws-command.js';
import { errorFrame, resetFrame, serializeEventFrame, subscribedFrame, unsubscribedFrame } from '../../protocol/ws-frames.js';
import { WS_CLOSE_GOING_AWAY, WS_CLOSE_INTERNAL_ERROR, WS_CLOSE_TOO_SLOW } from '../../protocol/ws-server-frame.js';
import { sharedEventFrame } from './ws-frame-bytes.js';
import { WsProtocolError } from './ws-protocol-error.js';
import { WsClientConnection, type WsClientConnectionOptions } from './ws-client-connection.js';
import type { DeliveryTransport } from '../../stats/delivery-transport.js';
import type { FirehoseStats } from '../../stats/firehose-stats.js';

/**
 * Subscribe commands a connection may send: a burst, then a steady rate. Each one with a cursor
 * costs the database queries (authorizer, replay), so a client cannot make them without bound.
 */
const SUBSCRIBE_BURST = 20;
const SUBSCRIBES_PER_SECOND = 10;

export interface FirehoseWsConnectionOptions extends WsClientConnectionOptions {
  readers: EventStreamReaderFactory;
  maxStreams: number;
  stats: FirehoseStats;
}

/**
 * The streams opened by one subscribe command, read by one EventStreamReader. Each stream belongs
 * to exactly one group of its connection.
 */
class StreamGroup implements EventStreamSink {
  reader?: EventStreamReader;

  constructor(
    private readonly connection: FirehoseWsConnection,
    /** The streams this group still delivers. */
    readonly streams: Set<string>,
    /** The streams of the command, confirmed once replay is over. */
    private readonly confirmed: string[],
  ) {}

  next(item: FirehoseStreamItem): void {
    this.connection.deliver(this, item);
  }

  get transport(): DeliveryTransport {
    return 'websocket';
  }

  live(): void {
    this.connection.confirm(this, this.confirmed);
  }

  error(error: unknown): void {
    this.connection.fail(this, error);
  }

  complete(): void {
    // The hub completes every stream at shutdown.
    this.connection.close(WS_CLOSE_GOING_AWAY, 'Server shutting down; reconnect with last_event_id');
  }
}

/**
 * One WebSocket client: parses its commands one at a time (in order, even when the authorizer is
 * async), owns its stream subscriptions and writes frames while the socket is open and keeping up.
 * Each stream is delivered by exactly one subscription of the connection, so an event is never
 * sent twice, even when a later subscribe names a stream again.
 */
export class FirehoseWsConnection extends WsClientConnection<StreamGroup> {
  private readonly owners = new Map<string, StreamGroup>();
  private readonly subscribeLimit = new CommandRateLimit(SUBSCRIBE_BURST, SUBSCRIBES_PER_SECOND);

  constructor(
    socket: WebSocket,
    context: FirehoseConnectionContext,
    private readonly options: FirehoseWsConnectionOptions,
  ) {
    super(socket, context, options, 'WebSocket');
  }

  /** Ends every subscription; the socket is closed by whoever called this or is already. */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    const groups = new Set(this.owners.values());
    this.owners.clear();
    for (const group of groups) group.reader?.close();
  }

  protected async handle(text: string): Promise<void> {
    if (this.closed) return;
    try {
      const command = parseWsCommand(text);
      if (command.command === 'unsubscribe') this.unsubscribe(command);
      else if (this.subscribeLimit.take()) await this.subscribe(command);
      else {
        throw new WsProtocolError(
          'too-many-commands',
          `Too many subscribe commands: at most ${SUBSCRIBES_PER_SECOND} a second (${SUBSCRIBE_BURST} at once) per connection; send it again later.`,
          command.streams,
        );
      }
    } catch (error) {
      if (error instanceof WsProtocolError) {
        this.send(errorFrame(error.code, error.message, error.streams));
        return;
      }
      this.options.logger.error(`A WebSocket command failed: ${String(error)}`);
      this.send(errorFrame('invalid-command', 'The server could not handle this command; try again later.'));
    }
  }

  private async subscribe(command: WsSubscribeCommand): Promise<void> {
    const already = command.streams.filter((stream) => this.owners.has(stream));
    const fresh = command.streams.filter((stream) => !this.owners.has(stream));
    if (this.owners.size + fresh.length > this.options.maxStreams) {
      throw new WsProtocolError(
        'too-many-streams',
        `Too many streams: ${this.owners.size + fresh.length} would be subscribed, at most ${this.options.maxStreams} per connection. ` +
          'Unsubscribe from some, open another connection, or raise maxStreamsPerConnection.',
        fresh,
      );
    }
    const allowed = fresh.length > 0 ? await this.authorize(fresh) : [];
    if (this.closed) return;
    const confirmed = command.streams.filter((stream) => already.includes(stream) || allowed.includes(stream));
    if (allowed.length === 0) {
      // Nothing to replay: the streams already live are confirmed at once.
      if (confirmed.length > 0) this.send(subscribedFrame(confirmed));
      return;
    }
    this.openGroup(allowed, command.lastEventId, confirmed);
  }

  /** The authorized subset of `streams`, in their order; an error frame names the refused ones. */
  private async authorize(streams: string[]): Promise<string[]> {
    if (!this.authorizer) throw new WsProtocolError('unauthorized', NO_AUTHORIZER_MESSAGE, streams);
    const { allowed, refused } = await authorizeStreams(this.authorizer, streams, this.context);
    if (refused.length > 0) {
      this.send(errorFrame('unauthorized', `These streams may not be read by this connection: ${refused.join(', ')}.`, refused));
    }
    return allowed;
  }

  private unsubscribe(command: WsUnsubscribeCommand): void {
    for (const stream of command.streams) {
      const group = this.owners.get(stream);
      if (!group) continue;
      this.owners.delete(stream);
      this.release(group, stream);
    }
    this.send(unsubscribedFrame(command.streams));
  }

  /**
   * `stream` is no longer `group`'s: its reader stops receiving it from the hub, or closes with its
   * last stream, so what the server holds per connection stays within the stream cap.
   */
  private release(group: StreamGroup, stream: string): void {
    group.streams.delete(stream);
    if (group.streams.size === 0) group.reader?.close();
    else group.reader?.drop([stream]);
  }

  private openGroup(streams: string[], lastEventId: number | undefined, confirmed: string[]): void {
    const group = new StreamGroup(this, new Set(streams), confirmed);
    for (const stream of streams) {
      // Two subscribes of one stream may both pass the authorizer: the later group takes it over.
      const previous = this.owners.get(stream);
      if (previous) this.release(previous, stream);
      this.owners.set(stream, group);
    }
    group.reader = this.options.readers.open(streams, lastEventId, group);
  }

  /** An item of `group`'s reader, in its order. */
  deliver(group: StreamGroup, item: FirehoseStreamItem): void {
    // A stream unsubscribed, or taken over by a later group, is no longer this group's to send.
    if (this.closed || this.owners.get(item.stream) !== group) return;
    if (isFirehoseReset(item)) this.inOrder(() => this.send(resetFrame(item)));
    else if (!this.buildsEvents) this.send(sharedEventFrame(item));
    else this.buildInOrder(item, this.context, group);
  }

  protected deliverBuilt(event: FirehoseEvent, built: FirehoseEvent | null, group: StreamGroup): void {
    // The stream may have been unsubscribed, or taken over by a later group, while it was built.
    if (built && this.owners.get(event.stream) === group) this.send(serializeEventFrame(built));
  }

  protected buildFailed(error: unknown): void {
    this.options.logger.error(`Building a WebSocket frame failed; the socket is closed so the client resumes: ${String(error)}`);
    this.close(WS_CLOSE_INTERNAL_ERROR, 'Stream failed; reconnect with last_event_id');
  }

  /** Replay of `group` is over: confirm the streams of its command that are still subscribed. */
  confirm(_group: StreamGroup, confirmed: string[]): void {
    this.inOrder(() => this.send(subscribedFrame(confirmed.filter((stream) => this.owners.has(stream)))));
  }

  fail(group: StreamGroup, error: unknown): void {
    this.options.logger.error(
      `WebSocket stream of ${[...group.streams].join(', ')} failed; the socket is closed so the client resumes: ${String(error)}`,
    );
    this.close(WS_CLOSE_INTERNAL_ERROR, 'Stream failed; reconnect with last_event_id');
  }

  protected tooSlow(): void {
    this.options.stats.droppedSlow('websocket', this.owners.keys());
    this.close(WS_CLOSE_TOO_SLOW, 'Too slow: reconnect with last_event_id');
  }
}
