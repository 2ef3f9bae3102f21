import { isDeepStrictEqual } from 'node:util';

/**
 * What `expectBroadcast` compares a broadcast's data with: a predicate, an asymmetric matcher of
 * the test framework (Jest's `expect.objectContaining(…)`, Vitest's too), or a value whose fields
 * must all be present and equal (extra fields of the data are allowed, arrays compare whole).
 */
export type BroadcastMatcher =
  | ((data: unknown) => boolean)
  | { asymmetricMatch(data: unknown): boolean }
  | object
  | string
  | number
  | boolean
  | null;

/** True when `data` satisfies `matcher` (see BroadcastMatcher). */
export function matchesBroadcast(data: unknown, matcher: BroadcastMatcher): boolean {
  if (typeof matcher === 'function') return Boolean((matcher as (data: unknown) => boolean)(data));
  if (isAsymmetricMatcher(matcher)) return matcher.asymmetricMatch(data);
  return containsExpected(data, matcher);
}

function isAsymmetricMatcher(value: unknown): value is { asymmetricMatch(data: unknown): boolean } {
  return typeof value === 'object' && value !== null && typeof (value as { asymmetricMatch?: unknown }).asymmetricMatch === 'function';
}

function containsExpected(actual: unknown, expected: unknown): boolean {
  if (isAsymmetricMatcher(expected)) return expected.asymmetricMatch(actual);
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) return isDeepStrictEqual(actual, expected);
  if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
  return Object.entries(expected).every(([key, value]) => containsExpected((actual as Record<string, unknown>)[key], value));
}
