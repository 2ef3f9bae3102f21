/**
 * What `GET {statsPath}` reports, as Fluxbase does: open connections of this process's endpoint,
 * and the distinct channels they subscribe to.
 *
 * @publicApi
 */
export interface FluxbaseRealtimeStats {
  /** Open WebSocket connections of the endpoint, in this process. */
  connections: number;
  /** Distinct channels with at least one subscription, in this process. */
  channels: number;
}

/** Counts kept by the endpoint's connections as they open, subscribe, unsubscribe and close. */
export class FluxbaseStats {
  private connections = 0;
  private readonly subscribers = new Map<string, number>();

  opened(): void {
    this.connections++;
  }

  closed(): void {
    this.connections--;
  }

  joined(channel: string): void {
    this.subscribers.set(channel, (this.subscribers.get(channel) ?? 0) + 1);
  }

  left(channel: string): void {
    const count = (this.subscribers.get(channel) ?? 0) - 1;
    if (count > 0) this.subscribers.set(channel, count);
    else this.subscribers.delete(channel);
  }

  snapshot(): FluxbaseRealtimeStats {
    return { connections: this.connections, channels: this.subscribers.size };
  }
}
