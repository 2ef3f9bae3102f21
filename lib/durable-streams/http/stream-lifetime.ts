import type { IncomingMessage } from 'node:http';
import { MAX_STREAM_LIFETIME_SECONDS } from '../durable-streams.constants.js';
import { StreamRequestError } from '../errors/stream-request.error.js';
import { header } from './http-response.js';

/** A stream's lifetime as a PUT asks for it: a sliding TTL, an absolute expiry, or neither. */
export interface StreamLifetime {
  ttlSeconds: number | null;
  /** The `Stream-Expires-At` header as given (it is echoed back), already checked. */
  expiresAt: string | null;
}

const TTL_PATTERN = /^(0|[1-9]\d*)$/;
// RFC 3339 `date-time`: the form the protocol names, and one PostgreSQL parses too.
const RFC3339_PATTERN = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const LIFETIME_YEARS = Math.round(MAX_STREAM_LIFETIME_SECONDS / (365.25 * 86400));

/**
 * `Stream-TTL` / `Stream-Expires-At` of a PUT, bounded: a TTL of at most the maximum lifetime, an
 * expiry between 1970 and that far ahead. Beyond such bounds PostgreSQL's timestamp arithmetic
 * overflows, which would fail every later request on the stream.
 */
export function requestLifetime(req: IncomingMessage, now = Date.now()): StreamLifetime {
  const ttlHeader = header(req, 'stream-ttl');
  const expiresHeader = header(req, 'stream-expires-at');
  if (ttlHeader !== undefined && expiresHeader !== undefined)
    throw new StreamRequestError(400, 'Give Stream-TTL or Stream-Expires-At, not both');
  if (ttlHeader !== undefined) {
    if (!TTL_PATTERN.test(ttlHeader)) {
      throw new StreamRequestError(400, 'Stream-TTL must be a whole number of seconds, without sign, decimals or leading zeros');
    }
    const ttlSeconds = Number(ttlHeader);
    if (ttlHeader.length > 16 || ttlSeconds > MAX_STREAM_LIFETIME_SECONDS) {
      throw new StreamRequestError(
        400,
        `Stream-TTL must be at most ${MAX_STREAM_LIFETIME_SECONDS} seconds (${LIFETIME_YEARS} years); for a stream that never expires, give none`,
      );
    }
    return { ttlSeconds, expiresAt: null };
  }
  if (expiresHeader !== undefined) {
    const at = RFC3339_PATTERN.test(expiresHeader) ? Date.parse(expiresHeader) : Number.NaN;
    if (Number.isNaN(at)) throw new StreamRequestError(400, 'Stream-Expires-At must be an RFC 3339 timestamp, e.g. 2030-01-01T00:00:00Z');
    if (at < 0 || at > now + MAX_STREAM_LIFETIME_SECONDS * 1000) {
      throw new StreamRequestError(
        400,
        `Stream-Expires-At must lie between 1970 and ${LIFETIME_YEARS} years from now; for a stream that never expires, give none`,
      );
    }
    return { ttlSeconds: null, expiresAt: expiresHeader };
  }
  return { ttlSeconds: null, expiresAt: null };
}
