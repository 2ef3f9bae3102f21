import type { Logger } from '@nestjs/common';
import { concatMap, map, Observable, type Subscription } from 'rxjs';
import type { WebSocket } from 'ws';
import { NO_AUTHORIZER_MESSAGE } from '../auth/firehose-streams.guard.js';
import type { FirehoseService } from '../firehose.service.js';
import type { FirehoseAuthorizer, FirehoseConnectionContext } from '../interfaces/firehose-authorizer.interface.js';
import { isFirehoseReset, type FirehoseStreamItem } from '../interfaces/firehose-event.interface.js';
import { parseWsCommand } from './parse-ws-command.js';
import { errorFrame, resetFrame, serializeEventFrame, sharedEventFrame, subscribedFrame, unsubscribedFrame } from './ws-frames.js';
import {
  WS_CLOSE_GOING_AWAY,
  WS_CLOSE_INTERNAL_ERROR,
  WS_CLOSE_TOO_SLOW,
  type WsSubscribeCommand,
  type WsUnsubscribeCommand,
} from './ws-protocol.js';
import { WsProtocolError } from './ws-protocol-error.js';

/** `WebSocket.OPEN`, without loading `ws` at runtime (it is the adapter's dependency, not ours). */
const OPEN = 1;

export interface FirehoseWsConnectionOptions {
  firehose: FirehoseService;
  authorizer: FirehoseAuthorizer | undefined;
  maxStreams: number;
  maxBufferedBytes: number;
  logger: Logger;
}

/** One `FirehoseService.stream()` subscription, opened by one subscribe command. */
interface StreamGroup {
  /** The streams this group still delivers; each stream belongs to exactly one group. */
  readonly streams: Set<string>;
  subscription?: Subscription;
}

/** Marks, inside a group's item sequence, the point where replay is over and live events follow. */
const LIVE = Symbol('live');

/**
 * One WebSocket client: parses its commands one at a time (in order, even when the authorizer is
 * async), owns its stream subscriptions and writes frames while the socket is open and keeping up.
 * Each stream is delivered by exactly one subscription of the connection, so an event is never
 * sent twice, even when a later subscribe names a stream again.
 */
export class FirehoseWsConnection {
  private readonly owners = new Map<string, StreamGroup>();
  private commands: Promise<void> = Promise.resolve();
  private closed = false;
  /** False once a ping is out and its pong has not come back. */
  private alive = true;

  constructor(
    private readonly socket: WebSocket,
    private readonly context: FirehoseConnectionContext,
    private readonly options: FirehoseWsConnectionOptions,
  ) {
    socket.on('message', (data) => {
      const text = String(data);
      this.commands = this.commands.then(() => this.handle(text));
    });
    // Nest's adapter logs every socket error at error level. A client that breaks the protocol (a
    // frame over maxFrameBytes, bad framing; `ws` closes it with 1009 or 1002) is routine on a
    // public endpoint and must not let anyone flood the logs, so those become debug lines here.
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code?.startsWith('WS_ERR_')) options.logger.debug(`WebSocket client broke the protocol: ${error.message}`);
      else options.logger.error(`WebSocket error: ${error.message}`);
    });
    socket.on('pong', () => (this.alive = true));
    socket.once('close', () => this.stop());
  }

  /** A heartbeat tick: terminates a peer that did not answer the previous ping, else pings it. */
  heartbeat(): void {
    if (this.closed) return;
    if (!this.alive) {
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  /** Ends every subscription; the socket is closed by whoever called this or is already. */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    const groups = new Set(this.owners.values());
    this.owners.clear();
    for (const group of groups) group.subscription?.unsubscribe();
  }

  private async handle(text: string): Promise<void> {
    if (this.closed) return;
    try {
      const command = parseWsCommand(text);
      if (command.command === 'subscribe') await this.subscribe(command);
      else this.unsubscribe(command);
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
    const { authorizer } = this.options;
    if (!authorizer) throw new WsProtocolError('unauthorized', NO_AUTHORIZER_MESSAGE, streams);
    const answer = await authorizer.authorizeStreams([...streams], this.context);
    const permitted = new Set(Array.isArray(answer) ? answer : []);
    // Keep the request's order and never let the authorizer add a stream nobody asked for.
    const allowed = streams.filter((stream) => permitted.has(stream));
    const refused = streams.filter((stream) => !permitted.has(stream));
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
      group.streams.delete(stream);
      if (group.streams.size === 0) group.subscription?.unsubscribe();
    }
    this.send(unsubscribedFrame(command.streams));
  }

  private openGroup(streams: string[], lastEventId: number | undefined, confirmed: string[]): void {
    const group: StreamGroup = { streams: new Set(streams) };
    for (const stream of streams) this.owners.set(stream, group);
    const items = new Observable<FirehoseStreamItem | typeof LIVE>((subscriber) =>
      this.options.firehose.stream(streams, { lastEventId, onLive: () => subscriber.next(LIVE) }).subscribe(subscriber),
    );
    const toFrame = (item: FirehoseStreamItem | typeof LIVE): string | Buffer | null => {
      if (item === LIVE) return subscribedFrame(confirmed.filter((stream) => this.owners.has(stream)));
      // A stream unsubscribed, or taken over by a later group, is no longer this group's to send.
      if (this.owners.get(item.stream) !== group) return null;
      return isFirehoseReset(item) ? resetFrame(item) : sharedEventFrame(item);
    };
    const buildEvent = this.options.authorizer?.buildEvent?.bind(this.options.authorizer);
    const frames = buildEvent
      ? items.pipe(
          concatMap(async (item) => {
            if (item === LIVE || isFirehoseReset(item) || this.owners.get(item.stream) !== group) return toFrame(item);
            const built = await buildEvent(item, this.context);
            // The id and stream stay the stored event's: they are the client's cursor and routing key.
            return built && serializeEventFrame({ ...built, id: item.id, stream: item.stream });
          }),
        )
      : items.pipe(map(toFrame));
    group.subscription = frames.subscribe({
      next: (frame) => frame !== null && this.send(frame),
      error: (error) => {
        this.options.logger.error(`WebSocket stream of ${streams.join(', ')} failed; the socket is closed so the client resumes: ${String(error)}`);
        this.close(WS_CLOSE_INTERNAL_ERROR, 'Stream failed; reconnect with last_event_id');
      },
      // The hub completes every stream at shutdown.
      complete: () => this.close(WS_CLOSE_GOING_AWAY, 'Server shutting down; reconnect with last_event_id'),
    });
  }

  private send(frame: string | Buffer): void {
    if (this.closed || this.socket.readyState !== OPEN) return;
    // A Buffer goes out as a text frame too: the protocol is JSON text.
    this.socket.send(frame, { binary: false });
    // A client that does not read would make the server hold every later frame for it: cut it
    // off instead; it reconnects with its last id and replay fills the gap.
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.close(WS_CLOSE_TOO_SLOW, 'Too slow: reconnect with last_event_id');
    }
  }

  private close(code: number, reason: string): void {
    this.stop();
    if (this.socket.readyState === OPEN) this.socket.close(code, reason);
  }
}
