import { FirehoseError } from './firehose.error.js';

/** `queue.pop({ timeout })` saw no message in time. */
export class FirehoseQueueTimeoutError extends FirehoseError {
  constructor(readonly queue: string, readonly timeout: number) {
    super(`No message arrived on queue "${queue}" within ${timeout} ms.`);
  }
}
