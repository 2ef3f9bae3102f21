/**
 * The stream-name rules, one implementation for the server (which refuses a bad name with a typed
 * error) and the browser client (which checks before sending: the server refuses a whole subscribe
 * for one bad name, and the client must never lose its resume cursor to finding out which one).
 */

/** Longest stream (or queue) name, in UTF-8 bytes. */
export const MAX_STREAM_NAME_BYTES = 255;

// C0 controls, DEL and C1 controls: invisible in logs and unsafe in SSE `event:` lines.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `stream` is not a usable stream name, or undefined when it is one. */
export function streamNameProblem(stream: unknown): string | undefined {
  if (typeof stream !== 'string') return `expected a string, got ${typeof stream}`;
  if (stream.length === 0) return 'it is empty';
  if (utf8Length(stream) > MAX_STREAM_NAME_BYTES) return `it is longer than ${MAX_STREAM_NAME_BYTES} UTF-8 bytes`;
  if (CONTROL_CHARACTERS.test(stream)) return 'it contains control characters';
  if (LONE_SURROGATE.test(stream)) return 'it contains an unpaired UTF-16 surrogate';
  return undefined;
}

export function isValidStreamName(stream: unknown): stream is string {
  return streamNameProblem(stream) === undefined;
}

/**
 * The names of a comma-separated list: `?streams=a,b` on the SSE route. A comma always separates
 * names, so a stream whose name holds one cannot be asked for that way.
 */
export function splitStreamList(list: string): string[] {
  return list.split(',');
}

/**
 * The stream names of a `streams="a,b"` attribute, or of a client call's argument: names as in
 * splitStreamList, surrounding blanks ignored, empty names dropped, duplicates merged.
 */
export function parseStreams(streams: string | readonly string[] | null | undefined): string[] {
  if (streams === null || streams === undefined) return [];
  const list = typeof streams === 'string' ? splitStreamList(streams) : streams;
  const names: string[] = [];
  for (const raw of list) {
    const name = String(raw).trim();
    if (name !== '' && !names.includes(name)) names.push(name);
  }
  return names;
}

/** UTF-8 length without encoding (no Buffer in the browser, no allocation per broadcast). */
function utf8Length(text: string): number {
  // At most 3 bytes per UTF-16 code unit: short names need no count.
  if (text.length * 3 <= MAX_STREAM_NAME_BYTES) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
