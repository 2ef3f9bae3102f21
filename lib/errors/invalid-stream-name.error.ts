import { describeValue } from './describe-value.js';
import { FirehoseError } from './firehose.error.js';

/** A stream name is empty, longer than 255 UTF-8 bytes, not a string, or holds control characters. */
export class FirehoseInvalidStreamNameError extends FirehoseError {
  constructor(
    /** The value given as a stream name. */
    readonly stream: unknown,
    reason: string,
  ) {
    super(`Invalid stream name ${describeValue(stream)}: ${reason}.`);
  }
}
