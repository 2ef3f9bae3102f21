import type { WebSocket } from 'ws';
import type { EventStreamReader, EventStreamReaderFactory, EventStreamSink } from '../delivery/event-stream-reader.js';
import type { FirehoseConnectionContext } from '../interfaces/firehose-authorizer.interface.js';
import { WsClientConnection, type WsClientConnectionOptions } from '../transports/ws/ws-client-connection.js';
import { isFirehoseReset, type FirehoseEvent, type FirehoseStreamItem } from '../protocol/firehose-event.js';
import { WS_CLOSE_GOING_AWAY, WS_CLOSE_INTERNAL_ERROR, WS_CLOSE_TOO_SLOW } from '../protocol/ws-server-frame.js';
import { authorizeStreams, NO_AUTHORIZER_MESSAGE } from '../transports/connection/authorized-streams.js';
import { CommandRateLimit } from '../transports/connection/command-rate-limit.js';
import type { Heartbeating } from '../transports/connection/heartbeat-timer.js';
import { sharedPerEvent } from '../transports/connection/shared-per-event.js';
import { ackFrame, broadcastFrame, errorFrame, HEARTBEAT_FRAME, resetFrame, unsubscribedFrame } from './fluxbase-frames.js';
import { FluxbaseProtocolError } from './fluxbase-protocol.error.js';
import type { FluxbaseStats } from './fluxbase-stats.js';
import { parseFluxbaseMessage } from './parse-fluxbase-message.js';

/** Subscribe messages a connection may send: a burst, then a steady rate (as on the Firehose endpoint). */
const SUBSCRIBE_BURST = 20;
const SUBSCRIBES_PER_SECOND = 10;

/** A broadcast frame as UTF-8 bytes shared by every connection, when no `buildEvent` shapes it per connection. */
const sharedBroadcastFrame = sharedPerEvent((event) => Buffer.from(broadcastFrame(event)));

export interface FluxbaseConnectionOptions extends WsClientConnectionOptions {
  readers: EventStreamReaderFactory;
  stats: FluxbaseStats;
  maxChannels: number;
}

/** One channel of a connection, read by its own EventStreamReader. */
class ChannelSubscription implements EventStreamSink {
  reader?: EventStreamReader;
  isLive = false;

  constructor(
    private readonly connection: FluxbaseConnection,
    readonly channel: string,
  ) {}

  next(item: FirehoseStreamItem): void {
    this.connection.deliver(this, item);
  }

  live(): void {
    this.isLive = true;
    this.connection.acknowledge(this);
  }

  error(error: unknown): void {
    this.connection.fail(this, error);
  }

  complete(): void {
    // The hub completes every stream at shutdown.
    this.connection.close(WS_CLOSE_GOING_AWAY, 'Server shutting down; reconnect');
  }
}

/**
 * One client of the Fluxbase endpoint. Its messages are handled one at a time, in order, even when
 * the authorizer is async. Each channel is one subscription, replayed from `last_event_id` when
 * given, then live: `ack` marks the switch. Frames go out through the same shared bytes, corking
 * and slow-client cut-off as the Firehose endpoint's.
 */
export class FluxbaseConnection extends WsClientConnection<ChannelSubscription> implements Heartbeating {
  private readonly subscriptions = new Map<string, ChannelSubscription>();
  private readonly subscribeLimit = new CommandRateLimit(SUBSCRIBE_BURST, SUBSCRIBES_PER_SECOND);

  constructor(
    socket: WebSocket,
    context: FirehoseConnectionContext,
    private readonly options: FluxbaseConnectionOptions,
  ) {
    super(socket, context, options, 'Fluxbase WebSocket');
  }

  /** A heartbeat tick: Fluxbase's heartbeat frame beside the ping whose missing pong ends a dead peer at the next tick. */
  override heartbeat(): boolean {
    if (!super.heartbeat()) return false;
    this.send(HEARTBEAT_FRAME);
    return true;
  }

  /** Ends every subscription; the socket is closed by whoever called this, or is already. */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    for (const subscription of this.subscriptions.values()) {
      subscription.reader?.close();
      this.options.stats.left(subscription.channel);
    }
    this.subscriptions.clear();
  }

  protected async handle(text: string): Promise<void> {
    if (this.closed) return;
    try {
      const command = parseFluxbaseMessage(text);
      if (command.type === 'heartbeat') this.send(HEARTBEAT_FRAME);
      else if (command.type === 'unsubscribe') this.unsubscribe(command.channel);
      else if (this.subscribeLimit.take()) await this.subscribe(command.channel, command.lastEventId);
      else {
        throw new FluxbaseProtocolError(
          `Too many subscribe messages: at most ${SUBSCRIBES_PER_SECOND} a second (${SUBSCRIBE_BURST} at once) per connection; send it again later.`,
          command.channel,
        );
      }
    } catch (error) {
      if (error instanceof FluxbaseProtocolError) {
        this.inOrder(() => this.send(errorFrame(error.message, error.channel)));
        return;
      }
      this.options.logger.error(`A Fluxbase WebSocket message failed: ${String(error)}`);
      this.send(errorFrame('The server could not handle this message; try again later.'));
    }
  }

  private async subscribe(channel: string, lastEventId: number | undefined): Promise<void> {
    const current = this.subscriptions.get(channel);
    if (current && lastEventId === undefined) {
      // Already delivered: confirm again once live (a subscription still replaying acks by itself).
      if (current.isLive) this.inOrder(() => this.send(ackFrame(channel)));
      return;
    }
    if (!current && this.subscriptions.size >= this.options.maxChannels) {
      throw new FluxbaseProtocolError(
        `Too many channels: at most ${this.options.maxChannels} per connection (the maxStreamsPerConnection option). Unsubscribe from one, or open another connection.`,
        channel,
      );
    }
    if (!this.authorizer) throw new FluxbaseProtocolError(NO_AUTHORIZER_MESSAGE, channel);
    const { allowed } = await authorizeStreams(this.authorizer, [channel], this.context);
    if (this.closed) return;
    if (allowed.length === 0) {
      throw new FluxbaseProtocolError(
        `This connection may not read channel ${channel}; connect with a token (?token=…) that may.`,
        channel,
      );
    }
    // A subscribe with last_event_id on a channel already read starts it over from that id.
    const previous = this.subscriptions.get(channel);
    if (previous) previous.reader?.close();
    else this.options.stats.joined(channel);
    const subscription = new ChannelSubscription(this, channel);
    this.subscriptions.set(channel, subscription);
    subscription.reader = this.options.readers.open([channel], lastEventId, subscription);
  }

  private unsubscribe(channel: string): void {
    const subscription = this.subscriptions.get(channel);
    if (subscription) {
      this.subscriptions.delete(channel);
      subscription.reader?.close();
      this.options.stats.left(channel);
    }
    this.inOrder(() => this.send(unsubscribedFrame(channel)));
  }

  /** An item of `subscription`'s reader, in its order. */
  deliver(subscription: ChannelSubscription, item: FirehoseStreamItem): void {
    // An unsubscribed channel, or one started over by a later subscribe, is no longer this one's to send.
    if (this.closed || this.subscriptions.get(item.stream) !== subscription) return;
    if (isFirehoseReset(item)) this.inOrder(() => this.send(resetFrame(item)));
    else if (!this.buildsEvents) this.send(sharedBroadcastFrame(item));
    else this.buildInOrder(item, this.context, subscription);
  }

  protected deliverBuilt(event: FirehoseEvent, built: FirehoseEvent | null, subscription: ChannelSubscription): void {
    if (built && this.subscriptions.get(event.stream) === subscription) this.send(broadcastFrame(built));
  }

  protected buildFailed(error: unknown): void {
    this.options.logger.error(`Building a Fluxbase broadcast failed; the socket is closed so the client reconnects: ${String(error)}`);
    this.close(WS_CLOSE_INTERNAL_ERROR, 'Stream failed; reconnect');
  }

  /** The replay of `subscription` is over: the client learns that it is live. */
  acknowledge(subscription: ChannelSubscription): void {
    this.inOrder(() => {
      if (this.subscriptions.get(subscription.channel) === subscription) this.send(ackFrame(subscription.channel));
    });
  }

  fail(subscription: ChannelSubscription, error: unknown): void {
    this.options.logger.error(
      `Fluxbase channel ${subscription.channel} failed; the socket is closed so the client reconnects: ${String(error)}`,
    );
    this.close(WS_CLOSE_INTERNAL_ERROR, 'Stream failed; reconnect');
  }

  protected tooSlow(): void {
    this.close(WS_CLOSE_TOO_SLOW, 'Too slow: reconnect and subscribe with last_event_id');
  }
}
