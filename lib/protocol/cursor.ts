/**
 * A resume cursor (`last_event_id`, SSE `Last-Event-ID`): the non-negative integer id of the last
 * event a client received. One rule for every way one arrives.
 */

const DIGITS = /^\d+$/;

export function isCursor(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * A cursor from a number, or from its decimal digits (a header, a query parameter, or a client
 * that kept the id as text); undefined when `value` is neither.
 */
export function parseCursor(value: unknown): number | undefined {
  if (typeof value === 'string') {
    if (!DIGITS.test(value)) return undefined;
    const cursor = Number(value);
    return Number.isSafeInteger(cursor) ? cursor : undefined;
  }
  return isCursor(value) ? value : undefined;
}

/** What a refusal says a cursor should be. */
export const CURSOR_EXPECTED = 'expected the non-negative integer id of the last event received';
