import { FirehoseInvalidStreamNameError } from '../errors/invalid-stream-name.error.js';
import { streamNameProblem } from '../protocol/stream-name.js';

/** Throws FirehoseInvalidStreamNameError unless `stream` is a usable stream (or queue) name (protocol/stream-name.ts). */
export function assertValidStreamName(stream: unknown): asserts stream is string {
  const problem = streamNameProblem(stream);
  if (problem !== undefined) throw new FirehoseInvalidStreamNameError(stream, problem);
}

/** Validates a list of stream names and removes duplicates, keeping the first order. */
export function normalizeStreamNames(streams: string | readonly string[]): string[] {
  const list = typeof streams === 'string' ? [streams] : streams;
  if (!Array.isArray(list)) throw new FirehoseInvalidStreamNameError(streams, 'expected a stream name or an array of them');
  if (list.length === 0) throw new FirehoseInvalidStreamNameError('', 'expected at least one stream name');
  list.forEach(assertValidStreamName);
  return [...new Set(list)];
}
