import { FirehoseError } from './firehose.error.js';

/** `lastEventId` is not a non-negative integer. */
export class FirehoseInvalidCursorError extends FirehoseError {
  constructor(
    /** The value given as `lastEventId`. */
    readonly cursor: unknown,
  ) {
    super(`Invalid lastEventId ${JSON.stringify(cursor)}: expected the non-negative integer id of the last event received.`);
  }
}
