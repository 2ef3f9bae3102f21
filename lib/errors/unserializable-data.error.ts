import { FirehoseError } from './firehose.error.js';

/** Data cannot be written as JSON (undefined, a function, a BigInt, a cycle, …). */
export class FirehoseUnserializableDataError extends FirehoseError {
  constructor(reason: string) {
    super(`Data cannot be serialized as JSON: ${reason}. Send plain objects, arrays, strings, numbers, booleans or null.`);
  }
}
