import { FirehoseError } from './firehose.error.js';

/** Serialized data is larger than the limit that applies to it; the message says what to do. */
export class FirehosePayloadTooLargeError extends FirehoseError {
  constructor(
    readonly bytes: number,
    readonly limit: number,
    remedy: string,
  ) {
    super(`Payload of ${bytes} bytes exceeds the ${limit}-byte limit; ${remedy}.`);
  }
}
