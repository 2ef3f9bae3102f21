import { CURSOR_EPOCH_MS, CURSOR_INTERVAL_SECONDS } from './durable-streams.constants.js';

/**
 * The `Stream-Cursor` of a live response (PROTOCOL.md §8.1): the current 20 s interval since the
 * protocol's epoch, so CDNs collapse requests within an interval. A client already at or past it
 * gets a later interval (by a random jitter of up to an hour), never an earlier one, so a cached
 * response can never send it back in a loop.
 */
export function responseCursor(clientCursor: string | null, now = Date.now()): string {
  const current = Math.floor((now - CURSOR_EPOCH_MS) / (CURSOR_INTERVAL_SECONDS * 1000));
  const client = clientCursor && /^\d+$/.test(clientCursor) ? Number(clientCursor) : NaN;
  if (!Number.isSafeInteger(client) || client < current) return String(current);
  const jitterSeconds = 1 + Math.floor(Math.random() * 3600);
  return String(client + Math.max(1, Math.ceil(jitterSeconds / CURSOR_INTERVAL_SECONDS)));
}
