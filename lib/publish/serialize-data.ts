import { FirehosePayloadTooLargeError } from '../errors/payload-too-large.error.js';
import { FirehoseUnserializableDataError } from '../errors/unserializable-data.error.js';

// A lone surrogate has no UTF-8 form: stored as a \udXXX escape it would reach browsers as U+FFFD
// and break jsonb consumers. JSON.stringify escapes it as \udXXX; a preceding even run of
// backslashes means the escape is real, not literal text.
const LONE_SURROGATE_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i;

/** Serializes event or queue data to JSON and enforces a byte limit, with errors that say why. */
export function serializeData(data: unknown, limit: number, remedy: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw new FirehoseUnserializableDataError((error as Error).message);
  }
  if (json === undefined) throw new FirehoseUnserializableDataError(`${typeof data} has no JSON form`);
  if (json.includes('\\u') && LONE_SURROGATE_ESCAPE.test(json)) {
    throw new FirehoseUnserializableDataError('a string contains an unpaired UTF-16 surrogate');
  }
  // Cheap upper bound first: a string of n UTF-16 units is at most 3n UTF-8 bytes.
  if (json.length * 3 > limit) {
    const bytes = Buffer.byteLength(json);
    if (bytes > limit) throw new FirehosePayloadTooLargeError(bytes, limit, remedy);
  }
  return json;
}
