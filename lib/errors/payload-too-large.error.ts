import { FirehoseError } from './firehose.error.js';

/** Serialized data is larger than the configured limit. */
export class FirehosePayloadTooLargeError extends FirehoseError {
  constructor(readonly bytes: number, readonly limit: number, option: string) {
    super(`Payload of ${bytes} bytes exceeds the ${limit}-byte limit (${option}); send less, or raise ${option}.`);
  }
}
