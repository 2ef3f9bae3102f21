import { StreamRequestError } from '../errors/stream-request.error.js';

const SLASH = 47;
const DOT = 46;
const PERCENT = 37;
const QUESTION = 63;
const BACKSLASH = 92;

/**
 * The stream path of a request target (`url` as sent, query included) whose first `baseLength`
 * characters are the base path: the path as sent, in its one accepted form, or a 400 naming
 * what to change. A stream's name is compared byte for byte, never decoded, so that a proxy rule
 * on a path and the stream it reaches cannot disagree: empty segments (`//x`, a trailing `/`),
 * `.` and `..` segments (also percent-encoded), encoded separators (`%2F`, `%5C`), a malformed
 * `%` escape, escapes that do not spell UTF-8 and characters outside printable ASCII are refused
 * rather than collapsed.
 */
export function parseStreamPath(url: string, baseLength: number): string {
  let end = url.indexOf('?', baseLength);
  if (end < 0) end = url.length;
  if (end <= baseLength + 1) throw new StreamRequestError(404, 'Stream not found: give a stream name after the base path');
  let segmentStart = baseLength + 1;
  let escaped = false;
  let anyEscape = false;
  for (let i = segmentStart; i <= end; i++) {
    const code = i < end ? url.charCodeAt(i) : SLASH;
    if (code === SLASH) {
      checkSegment(url, segmentStart, i, escaped);
      segmentStart = i + 1;
      escaped = false;
    } else if (code === PERCENT) {
      const high = i + 2 < end ? hexValue(url.charCodeAt(i + 1)) : -1;
      const low = high < 0 ? -1 : hexValue(url.charCodeAt(i + 2));
      if (low < 0) throw new StreamRequestError(400, 'A "%" in a stream path must start a two-digit hex escape');
      const byte = high * 16 + low;
      if (byte === SLASH || byte === BACKSLASH) {
        throw new StreamRequestError(400, 'A stream path must not hold an encoded "/" or "\\" (%2F, %5C): write "/" to nest names');
      }
      escaped = true;
      anyEscape = true;
      i += 2;
    } else if (code <= 32 || code >= 127 || code === BACKSLASH || code === QUESTION) {
      throw new StreamRequestError(400, 'A stream path is printable ASCII without "\\": percent-encode other characters');
    }
  }
  const path = end === url.length ? url : url.slice(0, end);
  if (anyEscape) checkUtf8Escapes(path);
  return path;
}

/** Frameworks decode a route's parameters, and refuse escapes that are not UTF-8: so does the gate, whichever serves it. */
function checkUtf8Escapes(path: string): void {
  try {
    decodeURIComponent(path);
  } catch {
    throw new StreamRequestError(400, 'The percent escapes in a stream path must spell UTF-8 characters');
  }
}

function checkSegment(url: string, start: number, end: number, escaped: boolean): void {
  const length = end - start;
  if (length === 0) throw new StreamRequestError(400, 'A stream path must not hold empty segments ("//" or a trailing "/")');
  // Only short segments can spell a dot segment: "..", or "%2E%2E" at most once decoded.
  const first = url.charCodeAt(start);
  if (length > (escaped ? 6 : 2) || (first !== DOT && first !== PERCENT)) return;
  const segment = escaped ? url.slice(start, end).replace(/%2e/gi, '.') : url.slice(start, end);
  if (segment === '.' || segment === '..') throw new StreamRequestError(400, 'A stream path must not hold "." or ".." segments');
}

/** The value of a hex digit's character code, or -1. */
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 32;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/**
 * The path of the stream `Stream-Forked-From` names, by path or by absolute URL (whose path alone
 * counts), in the same accepted form as a request's, below the same base path.
 */
export function forkSourcePath(value: string, base: string): string {
  let path = value;
  const scheme = value.indexOf('://');
  if (scheme > 0 && /^https?$/i.test(value.slice(0, scheme))) {
    const slash = value.indexOf('/', scheme + 3);
    path = slash < 0 ? '/' : value.slice(slash);
  }
  if (!path.startsWith(base) || path.charCodeAt(base.length) !== SLASH || path.includes('#')) {
    throw new StreamRequestError(400, `Stream-Forked-From must name a stream of this server, below ${base}/`);
  }
  if (path.includes('?')) throw new StreamRequestError(400, 'Stream-Forked-From names a stream, without a query');
  return parseStreamPath(path, base.length);
}
