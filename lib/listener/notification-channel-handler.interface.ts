/**
 * What a part of the library registers with the process's one LISTEN connection
 * (`PgListener.register`) to receive the notifications of its own channel: the core's events and
 * queues, and each feature module's channel, all the same way.
 */
export interface NotificationChannelHandler {
  /** The NOTIFY channel: a lower-case SQL identifier, like the `notifyChannel` option. */
  readonly channel: string;
  /** Must only parse and enqueue: a slow handler pins the cluster-wide NOTIFY queue. */
  onNotification(payload: string): void;
  /**
   * Called once LISTEN is in effect on a (new) connection and before any of that connection's
   * notifications of this channel are passed on, so the handler can catch up from its table
   * first. A rejection counts as a failed connect.
   */
  onListening(reconnected: boolean): Promise<void>;
}
