import type { Logger } from '@nestjs/common';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { FirehoseAuthorizer, FirehoseConnectionContext } from '../../interfaces/firehose-authorizer.interface.js';
import { upgradeSocket } from '../../platform/ws-upgrade-socket.js';
import { OrderedConnection } from '../connection/ordered-connection.js';
import type { CorkedWriter, SocketUncorker } from './socket-uncorker.js';
import { closeWithGrace, logSocketErrors, WS_OPEN } from './ws-socket.js';

/** What every WebSocket client connection needs from its gateway. */
export interface WsClientConnectionOptions {
  uncorker: SocketUncorker;
  authorizer: FirehoseAuthorizer | undefined;
  maxBufferedBytes: number;
  logger: Logger;
}

/**
 * One client socket of a gateway, whatever protocol it speaks (Firehose's, Fluxbase's): its
 * messages handled one at a time in arrival order, even when handling awaits; a ping per heartbeat
 * tick and termination when the previous one went unanswered; frames written through the shared
 * corking; and a cut-off, with `tooSlow`, of a client that does not read.
 */
export abstract class WsClientConnection<TGroup> extends OrderedConnection<TGroup> implements CorkedWriter {
  private messages: Promise<void> = Promise.resolve();
  protected closed = false;
  /** False once a ping is out and its pong has not come back. */
  private alive = true;
  /** Kept by the SocketUncorker. */
  lastFrameRun = 0;

  constructor(
    protected readonly socket: WebSocket,
    protected readonly context: FirehoseConnectionContext,
    private readonly base: WsClientConnectionOptions,
    label: string,
  ) {
    super(base.authorizer);
    socket.on('message', (data) => {
      const text = String(data);
      this.messages = this.messages.then(() => this.handle(text));
    });
    logSocketErrors(socket, base.logger, label);
    socket.on('pong', () => (this.alive = true));
    socket.once('close', () => this.stop());
  }

  /** Handles one message of the client; the next waits for it. */
  protected abstract handle(text: string): Promise<void>;

  /** Ends every subscription; the socket is closed by whoever called this, or is already. */
  abstract stop(): void;

  /** Called once the client is found not reading, just before it is cut off. */
  protected abstract tooSlow(): void;

  /** A heartbeat tick: terminates a peer that did not answer the previous ping, else pings it. False when it sent nothing. */
  heartbeat(): boolean {
    if (this.closed) return false;
    if (!this.alive) {
      this.socket.terminate();
      return false;
    }
    this.alive = false;
    this.socket.ping();
    return true;
  }

  close(code: number, reason: string): void {
    this.stop();
    closeWithGrace(this.socket, code, reason);
  }

  /** The socket `ws` writes this client's frames to. */
  get netSocket(): Socket {
    return upgradeSocket(this.context.request);
  }

  /**
   * A client that does not read would make the server hold every later frame for it: cut it off
   * instead; it reconnects with its last id and replay fills the gap. Checked once a run's frames
   * are out of the cork, so a burst to a client that reads does not count against it.
   */
  uncorked(): void {
    if (!this.closed && this.socket.bufferedAmount > this.base.maxBufferedBytes) this.tooSlow();
  }

  protected send(frame: string | Buffer): void {
    if (this.closed || this.socket.readyState !== WS_OPEN) return;
    this.base.uncorker.beforeFrame(this);
    // A Buffer goes out as a text frame too: both protocols are JSON text.
    this.socket.send(frame, { binary: false });
  }
}
