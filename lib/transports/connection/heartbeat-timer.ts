/** A connection that keeps its peer (and the proxies between) aware that it is alive. */
export interface Heartbeating {
  heartbeat(): void;
}

/**
 * One timer for every connection of a transport rather than one each: an idle connection costs
 * only its state. Unref'd, so it never keeps a process alive.
 */
export function startHeartbeatTimer(connections: { values(): Iterable<Heartbeating> }, interval: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    for (const connection of connections.values()) connection.heartbeat();
  }, interval);
  timer.unref();
  return timer;
}
