/** Options of `FirehoseQueue.pop()`. */
export interface QueuePopOptions {
  /** Milliseconds to wait for a message before rejecting with `FirehoseQueueTimeoutError`. */
  timeout?: number;
}

/**
 * An ephemeral queue over NOTIFY: nothing is stored. Every open handle, in every process,
 * receives every message pushed while it is open; `pop` takes the oldest one this handle holds.
 */
export interface FirehoseQueue<T = unknown> {
  /** The queue's name (same rules as a stream name). */
  readonly name: string;
  /** Sends `message` to every handle open on this queue, in every process; resolves once sent. */
  push(message: T): Promise<void>;
  /** The oldest message this handle holds, waiting for one if it holds none. */
  pop(options?: QueuePopOptions): Promise<T>;
  /** Stops receiving; pending `pop`s reject with `FirehoseQueueClosedError`. */
  close(): void;
}
