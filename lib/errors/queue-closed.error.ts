import { FirehoseError } from './firehose.error.js';

/** The queue handle was closed (or the app shut down) while a pop waited, or push/pop came after close. */
export class FirehoseQueueClosedError extends FirehoseError {
  constructor(
    /** The queue's name. */
    readonly queue: string,
  ) {
    super(`Queue "${queue}" is closed; open a new handle with FirehoseService.queue("${queue}").`);
  }
}
