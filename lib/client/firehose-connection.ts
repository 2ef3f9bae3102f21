import type { WsClientFrame } from '../protocol/ws-client-frame.js';
import type { WsErrorFrame, WsEventFrame, WsResetFrame, WsServerFrame } from '../protocol/ws-server-frame.js';
import {
  FIREHOSE_CLOSED_EVENT,
  FIREHOSE_ERROR_EVENT,
  FIREHOSE_MESSAGE_EVENT,
  FIREHOSE_OPEN_EVENT,
  FIREHOSE_RECONNECTING_EVENT,
  FIREHOSE_RESET_EVENT,
  FIREHOSE_SUBSCRIBED_EVENT,
  type FirehoseClosedDetail,
  type FirehoseConnectionState,
  type FirehoseErrorDetail,
  type FirehoseMessageDetail,
  type FirehoseOpenDetail,
  type FirehoseReconnectingDetail,
  type FirehoseResetDetail,
  type FirehoseSubscribedDetail,
} from './firehose-events.js';
import { reconnectDelay, type ReconnectPolicy } from './reconnect-delay.js';
import { SocketSubscriptions } from './socket-subscriptions.js';

/** Hands a client event to the page (the client dispatches it on `document`). */
export type FirehoseDispatch = (type: string, detail: unknown) => void;

/** `WebSocket.OPEN`, spelled out so this file also loads where `WebSocket` is not defined yet. */
const OPEN = 1;
const NORMAL_CLOSURE = 1000;
/** After a `too-many-commands` refusal: the server's rate refills in well under a second. */
const COMMAND_RETRY_DELAY = 1000;

/**
 * The WebSocket of one Firehose path, shared by every subscription of the page to that path.
 *
 * Streams are reference-counted: the server is asked for a stream when its count goes from 0 to 1
 * and told to drop it when it goes back to 0, in one command per microtask, so a custom element
 * moved in the DOM (disconnected, then connected in the same task) costs no frame at all.
 *
 * Ordering is what makes `last_event_id` a safe resume cursor on the client side too. The server
 * delivers each subscription's replay before its live events, but two subscriptions of one socket
 * are independent, so the client sends one command at a time and waits for its answer: the only
 * replay on a socket is the first subscribe after (re)connecting, which carries the cursor, and
 * every later subscribe is live-only. Events therefore arrive in increasing `id` order, the highest
 * id seen is the cursor, and an id at or below it is a duplicate, dropped.
 */
export class FirehoseConnection {
  /** Reference count per stream the page wants. */
  private readonly wanted = new Map<string, number>();
  /** What the current socket's server was asked and answered. */
  private readonly asked = new SocketSubscriptions();
  private socket?: WebSocket;
  private cursor?: number;
  private attempt = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private reconcileQueued = false;
  private current: FirehoseConnectionState = 'idle';

  constructor(
    /** The path as the page named it (reported in every event's detail). */
    readonly path: string,
    private readonly url: string,
    private readonly policy: () => ReconnectPolicy,
    private readonly dispatch: FirehoseDispatch,
  ) {}

  get state(): FirehoseConnectionState {
    return this.current;
  }

  /** The id of the newest event received: what a reconnect sends as `last_event_id`. */
  get lastEventId(): number | undefined {
    return this.cursor;
  }

  /** The streams the page is subscribed to on this path. */
  get streams(): string[] {
    return [...this.wanted.keys()];
  }

  /** The streams the page receives: subscribed to, less those the server refused on this socket. */
  get served(): string[] {
    return this.asked.served(this.streams);
  }

  add(streams: readonly string[]): void {
    for (const stream of streams) {
      const count = this.wanted.get(stream) ?? 0;
      if (count === 0) this.asked.wantedAgain(stream);
      this.wanted.set(stream, count + 1);
    }
    this.queueReconcile();
  }

  remove(streams: readonly string[]): void {
    for (const stream of streams) {
      const count = this.wanted.get(stream);
      if (count === undefined) continue;
      if (count > 1) this.wanted.set(stream, count - 1);
      else this.wanted.delete(stream);
    }
    this.queueReconcile();
  }

  /** Skips the backoff wait (the browser says it is back online). */
  retryNow(): void {
    if (this.retryTimer === undefined) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.open();
  }

  private queueReconcile(): void {
    if (this.reconcileQueued) return;
    this.reconcileQueued = true;
    queueMicrotask(() => {
      this.reconcileQueued = false;
      this.reconcile();
    });
  }

  /** Brings the server's view of the socket's streams to the page's, one command at a time. */
  private reconcile(): void {
    if (this.wanted.size === 0) {
      this.stop();
      return;
    }
    if (!this.socket) {
      if (this.retryTimer === undefined) this.open();
      return;
    }
    if (this.socket.readyState !== OPEN) return;
    const command = this.asked.nextCommand(this.wanted, this.cursor);
    if (command) this.send(command);
  }

  private open(): void {
    if (this.current === 'idle') this.setState('connecting');
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url);
    } catch (error) {
      // Only a malformed URL throws here: retrying would not fix it.
      this.setState('idle');
      this.dispatch(FIREHOSE_CLOSED_EVENT, {
        path: this.path,
        code: 0,
        reason: String(error),
        reconnect: false,
      } satisfies FirehoseClosedDetail);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.asked.opened();
      this.setState('open');
      this.dispatch(FIREHOSE_OPEN_EVENT, { path: this.path } satisfies FirehoseOpenDetail);
      this.reconcile();
    };
    socket.onmessage = (message: MessageEvent) => {
      if (this.socket === socket && typeof message.data === 'string') this.receive(message.data);
    };
    // An error is always followed by a close, which is where the retry is decided.
    socket.onclose = (event: CloseEvent) => {
      if (this.socket === socket) this.dropped(event.code, event.reason);
    };
  }

  /** The socket closed without the page asking: resume after a backoff if anything is still wanted. */
  private dropped(code: number, reason: string): void {
    this.socket = undefined;
    this.asked.forget();
    const reconnect = this.wanted.size > 0;
    this.dispatch(FIREHOSE_CLOSED_EVENT, { path: this.path, code, reason, reconnect } satisfies FirehoseClosedDetail);
    if (!reconnect) {
      this.setState('idle');
      return;
    }
    this.attempt += 1;
    const delay = reconnectDelay(this.attempt, this.policy());
    this.setState('reconnecting');
    this.dispatch(FIREHOSE_RECONNECTING_EVENT, { path: this.path, attempt: this.attempt, delay } satisfies FirehoseReconnectingDetail);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.wanted.size > 0) this.open();
    }, delay);
  }

  /** Nothing is wanted any more: close the socket and forget the cursor (a later subscribe starts live). */
  private stop(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    this.asked.forget();
    this.cursor = undefined;
    this.attempt = 0;
    if (socket) {
      socket.close(NORMAL_CLOSURE, 'No more subscriptions');
      this.dispatch(FIREHOSE_CLOSED_EVENT, {
        path: this.path,
        code: NORMAL_CLOSURE,
        reason: 'No more subscriptions',
        reconnect: false,
      } satisfies FirehoseClosedDetail);
    }
    this.setState('idle');
  }

  private receive(text: string): void {
    let frame: WsServerFrame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    if (!('type' in frame)) {
      this.event(frame);
      return;
    }
    switch (frame.type) {
      case 'subscribed':
        this.subscribed(frame.streams);
        break;
      case 'unsubscribed':
        if (this.asked.unsubscribed()) this.reconcile();
        break;
      case 'reset':
        this.reset(frame);
        break;
      case 'error':
        this.refusal(frame);
        break;
    }
  }

  private event(frame: WsEventFrame): void {
    if (typeof frame.id !== 'number' || typeof frame.stream !== 'string') return;
    if (this.cursor !== undefined && frame.id <= this.cursor) return;
    this.cursor = frame.id;
    // A stream the page just dropped may still deliver until the server has the unsubscribe.
    if (!this.wanted.has(frame.stream)) return;
    this.dispatch(FIREHOSE_MESSAGE_EVENT, { id: frame.id, stream: frame.stream, data: frame.data } satisfies FirehoseMessageDetail);
  }

  private subscribed(streams: string[]): void {
    // The server answered with a live subscription: this socket works, so the backoff starts over.
    this.attempt = 0;
    const live = Array.isArray(streams) ? streams : [];
    const settled = this.asked.confirmed(live);
    this.dispatch(FIREHOSE_SUBSCRIBED_EVENT, {
      path: this.path,
      streams: live.filter((stream) => this.wanted.has(stream)),
    } satisfies FirehoseSubscribedDetail);
    // The command in flight is answered: send the next, if the page's wishes changed meanwhile.
    if (settled) this.reconcile();
  }

  private reset(frame: WsResetFrame): void {
    // After a cursor ahead of the log (a restored database), the server goes on from its own
    // newest id, below ours: without lowering the cursor, the next events would look like duplicates.
    if (frame.reason === 'cursor-ahead' && this.cursor !== undefined && frame.last_event_id < this.cursor) {
      this.cursor = frame.last_event_id;
    }
    if (!this.wanted.has(frame.stream)) return;
    this.dispatch(FIREHOSE_RESET_EVENT, {
      path: this.path,
      stream: frame.stream,
      last_event_id: frame.last_event_id,
      reason: frame.reason,
    } satisfies FirehoseResetDetail);
  }

  private refusal(frame: WsErrorFrame): void {
    this.dispatch(FIREHOSE_ERROR_EVENT, {
      path: this.path,
      code: frame.code,
      message: frame.message,
      ...(frame.streams ? { streams: frame.streams } : {}),
    } satisfies FirehoseErrorDetail);
    const outcome = this.asked.refusedBy(frame);
    if (outcome === 'settled') this.reconcile();
    // The server limits subscribe commands per second: ask again once it has had a rest.
    else if (outcome === 'later') setTimeout(() => this.reconcile(), COMMAND_RETRY_DELAY);
  }

  private send(frame: WsClientFrame): void {
    this.socket?.send(JSON.stringify(frame));
  }

  private setState(state: FirehoseConnectionState): void {
    this.current = state;
  }
}
