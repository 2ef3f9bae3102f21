/** How long to wait before a reconnect attempt. */
export interface ReconnectPolicy {
  /** Delay of the first retry in ms; each further attempt doubles it. */
  reconnectDelay: number;
  /** The doubling stops here. */
  maxReconnectDelay: number;
}

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = { reconnectDelay: 500, maxReconnectDelay: 30_000 };

/**
 * Exponential backoff with "equal jitter": half the capped delay, plus a random part of the other
 * half. Without jitter every tab of a restarted server's audience would come back in the same
 * millisecond, attempt after attempt.
 *
 * @param attempt 1 for the first retry.
 */
export function reconnectDelay(attempt: number, policy: ReconnectPolicy, random: () => number = Math.random): number {
  const capped = Math.min(policy.maxReconnectDelay, policy.reconnectDelay * 2 ** Math.max(0, attempt - 1));
  return Math.round(capped / 2 + random() * (capped / 2));
}
