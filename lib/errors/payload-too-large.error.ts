import { FirehoseError } from './firehose.error.js';

/** Serialized data is larger than the limit that applies to it; the message says what to do. */
export class FirehosePayloadTooLargeError extends FirehoseError {
  constructor(
    /** Size of the serialized data, in UTF-8 bytes. */
    readonly bytes: number,
    /** The limit that applied (`maxPayloadBytes`, or one NOTIFY for a queue message). */
    readonly limit: number,
    remedy: string,
  ) {
    super(`Payload of ${bytes} bytes exceeds the ${limit}-byte limit; ${remedy}.`);
  }
}
