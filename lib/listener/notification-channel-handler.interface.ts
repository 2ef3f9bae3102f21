/**
 * What a part of the library registers with the process's one LISTEN connection
 * (`PgListener.register`) to receive the notifications of its own channel: the core's events and
 * queues, and each feature module's channel, all the same way.
 */
export interface NotificationChannelHandler {
  /** The NOTIFY channel: a lower-case SQL identifier, like the `notifyChannel` option. */
  readonly channel: string;
  /**
   * True when every payload on the channel is signed (lib/listener/notify-signature.ts): the
   * listener then passes on only payloads whose signature holds, without it, and drops the rest.
   * Any role that can connect can NOTIFY on any channel, so a handler of an unsigned channel must
   * take a payload as a mere hint to read its tables, one that a forger could send at will.
   */
  readonly signed?: boolean;
  /** Must only parse and enqueue: a slow handler pins the cluster-wide NOTIFY queue. */
  onNotification(payload: string): void;
  /**
   * Called once LISTEN is in effect on a (new) connection and before any of that connection's
   * notifications of this channel are passed on, so the handler can catch up from its table
   * first. A rejection counts as a failed connect.
   */
  onListening(reconnected: boolean): Promise<void>;
}
