/**
 * A part of the module that needs notifications of its own channel on the process's shared LISTEN
 * connection (e.g. Durable Streams), registered under FIREHOSE_LISTENER_CHANNELS instead of
 * opening a second listening session.
 */
export interface ListenerChannelHandler {
  /** A lower-case identifier, like the module's `channel`. */
  readonly channel: string;
  /** Must only parse and enqueue, like every notification handler. */
  onNotification(payload: string): void;
  /** Called when LISTEN is in effect on a (new) connection: notifications may have been missed. */
  onListening(reconnected: boolean): Promise<void>;
}
