import { MAX_STREAM_NAME_BYTES } from '../firehose.constants.js';
import { InvalidStreamNameError } from '../errors/invalid-stream-name.error.js';

// C0 controls, DEL and C1 controls: invisible in logs and unsafe in SSE `event:` lines.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Throws InvalidStreamNameError unless `stream` is a usable stream (or queue) name. */
export function assertValidStreamName(stream: unknown): asserts stream is string {
  if (typeof stream !== 'string') throw new InvalidStreamNameError(stream, `expected a string, got ${typeof stream}`);
  if (stream.length === 0) throw new InvalidStreamNameError(stream, 'it is empty');
  if (Buffer.byteLength(stream) > MAX_STREAM_NAME_BYTES) {
    throw new InvalidStreamNameError(stream, `it is longer than ${MAX_STREAM_NAME_BYTES} UTF-8 bytes`);
  }
  if (CONTROL_CHARACTERS.test(stream)) throw new InvalidStreamNameError(stream, 'it contains control characters');
  if (!stream.isWellFormed()) throw new InvalidStreamNameError(stream, 'it contains an unpaired UTF-16 surrogate');
}

/** Validates a list of stream names and removes duplicates, keeping the first order. */
export function normalizeStreamNames(streams: string | readonly string[]): string[] {
  const list = typeof streams === 'string' ? [streams] : streams;
  if (!Array.isArray(list)) throw new InvalidStreamNameError(streams, 'expected a stream name or an array of them');
  if (list.length === 0) throw new InvalidStreamNameError('', 'expected at least one stream name');
  list.forEach(assertValidStreamName);
  return [...new Set(list)];
}
