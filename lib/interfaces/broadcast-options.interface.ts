import type { EntityManager } from 'typeorm';

/** Options of `FirehoseService.broadcast()`. */
export interface BroadcastOptions {
  /**
   * An EntityManager inside the caller's transaction. The event is then written on that
   * transaction's connection and exists, and is delivered, if and only if it commits.
   * The write takes the module's append lock until that commit: broadcast last in the transaction.
   */
  manager?: EntityManager;
}

/** Options of `FirehoseService.stream()`. */
export interface StreamOptions {
  /**
   * Replay every kept event with an id greater than this before going live. Omit it to receive
   * only events committed after the subscription starts.
   */
  lastEventId?: number;
  /**
   * Called once per subscription, right after the last replayed item was emitted and before the
   * first live one: a transport confirms the subscription then, so a client never believes it is
   * listening before it is.
   */
  onLive?: () => void;
}
