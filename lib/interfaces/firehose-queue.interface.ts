export interface QueuePopOptions {
  /** Milliseconds to wait for a message before rejecting with `FirehoseQueueTimeoutError`. */
  timeout?: number;
}

/**
 * An ephemeral queue over NOTIFY: nothing is stored. Every open handle, in every process,
 * receives every message pushed while it is open; `pop` takes the oldest one this handle holds.
 */
export interface FirehoseQueue<T = unknown> {
  readonly name: string;
  push(message: T): Promise<void>;
  pop(options?: QueuePopOptions): Promise<T>;
  close(): void;
}
