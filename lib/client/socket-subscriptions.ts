import type { WsClientFrame, WsSubscribeFrame } from '../protocol/ws-client-frame.js';
import type { WsErrorFrame } from '../protocol/ws-server-frame.js';

/** The one command in flight: the next is sent only once the server has answered it. */
interface PendingCommand {
  kind: 'subscribe' | 'unsubscribe';
  /** Streams of a subscribe still waiting for their `subscribed` confirmation or refusal. */
  streams: Set<string>;
}

/**
 * What one socket's server has been asked and answered: the streams sent, those it refused, and
 * the command in flight. Forgotten with the socket.
 */
export class SocketSubscriptions {
  /** Streams asked of the socket (confirmed or in flight). */
  private readonly sent = new Set<string>();
  /** Streams the server refused: not asked again until re-subscribed or reconnected. */
  private readonly refused = new Set<string>();
  /** Streams of a command refused as a whole: asked again one per command, to find which one it was. */
  private readonly isolated = new Set<string>();
  private pending?: PendingCommand;
  /** The first subscribe on a fresh socket resumes from the cursor; later ones are live-only. */
  private resumeOnNextSubscribe = false;

  /** A fresh socket opened: its first subscribe carries the cursor. */
  opened(): void {
    this.resumeOnNextSubscribe = true;
  }

  /** The socket is gone: nothing asked of it holds any more. */
  forget(): void {
    this.sent.clear();
    this.refused.clear();
    this.isolated.clear();
    this.pending = undefined;
    this.resumeOnNextSubscribe = false;
  }

  /** The page subscribed to `stream` anew: ask for it even if this socket's server refused it. */
  wantedAgain(stream: string): void {
    this.refused.delete(stream);
  }

  /** The streams of `wanted` the page receives: less those the server refused on this socket. */
  served(wanted: string[]): string[] {
    return wanted.filter((stream) => !this.refused.has(stream));
  }

  /**
   * The next command that brings the server's view to `wanted`, one at a time: first dropping
   * what is no longer wanted, then asking for what is missing. Undefined when nothing is to send
   * or a command is still unanswered.
   */
  nextCommand(wanted: ReadonlyMap<string, number>, cursor: number | undefined): WsClientFrame | undefined {
    if (this.pending) return undefined;
    const dropped = [...this.sent].filter((stream) => !wanted.has(stream));
    if (dropped.length > 0) {
      for (const stream of dropped) this.sent.delete(stream);
      this.pending = { kind: 'unsubscribe', streams: new Set() };
      return { command: 'unsubscribe', streams: dropped };
    }
    const missing = [...wanted.keys()].filter((stream) => !this.sent.has(stream) && !this.refused.has(stream));
    if (missing.length === 0) return undefined;
    const alone = missing.find((stream) => this.isolated.has(stream));
    const added = alone === undefined ? missing : [alone];
    const frame: WsSubscribeFrame = { command: 'subscribe', streams: added };
    if (this.resumeOnNextSubscribe && cursor !== undefined) frame.last_event_id = cursor;
    this.resumeOnNextSubscribe = false;
    for (const stream of added) this.sent.add(stream);
    this.pending = { kind: 'subscribe', streams: new Set(added) };
    return frame;
  }

  /** The server confirmed `streams` live; true when that settles the command in flight. */
  confirmed(streams: string[]): boolean {
    if (this.pending?.kind === 'subscribe') {
      for (const stream of streams) this.pending.streams.delete(stream);
    }
    for (const stream of streams) this.isolated.delete(stream);
    return this.settleIf(this.pending?.kind === 'subscribe' && this.pending.streams.size === 0);
  }

  /** The server answered an unsubscribe; true when that settles the command in flight. */
  unsubscribed(): boolean {
    return this.settleIf(this.pending?.kind === 'unsubscribe');
  }

  /**
   * The server refused (part of) the command in flight: `settled` when that answers it, `later`
   * when the server asked for the command again later (it is forgotten, to be sent anew), else
   * `pending`.
   */
  refusedBy(frame: WsErrorFrame): 'settled' | 'pending' | 'later' {
    const pending = this.pending;
    if (!pending) return 'pending';
    if (pending.kind === 'unsubscribe') return this.settleIf(true) ? 'settled' : 'pending';
    if (frame.code === 'too-many-commands') {
      for (const stream of pending.streams) this.sent.delete(stream);
      this.pending = undefined;
      return 'later';
    }
    // `unauthorized` names the refused streams and the others of the command are still served
    // (their confirmation follows). Every other refusal covers the whole command (names are
    // checked before they are sent, so in practice `too-many-streams`): its streams are asked
    // again one at a time, and only those refused on their own stay refused. Those single
    // commands start live: two replays on one socket would break the cursor's order.
    const partial = frame.code === 'unauthorized' && Array.isArray(frame.streams);
    const refused = partial ? frame.streams! : [...pending.streams];
    const retryAlone = !partial && refused.length > 1;
    for (const stream of refused) {
      pending.streams.delete(stream);
      this.sent.delete(stream);
      if (retryAlone) {
        this.isolated.add(stream);
      } else {
        this.isolated.delete(stream);
        this.refused.add(stream);
      }
    }
    return this.settleIf(pending.streams.size === 0) ? 'settled' : 'pending';
  }

  private settleIf(settled: boolean): boolean {
    if (settled) this.pending = undefined;
    return settled;
  }
}
