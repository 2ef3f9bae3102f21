import { FirehoseError } from './firehose.error.js';

/** `queue.pop({ timeout })` saw no message in time. */
export class FirehoseQueueTimeoutError extends FirehoseError {
  constructor(
    /** The queue's name. */
    readonly queue: string,
    /** The `timeout` given to `pop`, in milliseconds. */
    readonly timeout: number,
  ) {
    super(`No message arrived on queue "${queue}" within ${timeout} ms.`);
  }
}
