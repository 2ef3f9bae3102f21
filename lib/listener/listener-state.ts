/**
 * - `connecting`: first connection at boot.
 * - `connected`: LISTENing; every committed event reaches this process.
 * - `reconnecting`: the connection dropped; retrying with backoff, then catching up from the table.
 * - `unhealthy`: `reconnectAttempts` retries failed in a row; still retrying at the capped delay.
 * - `closed`: shut down.
 */
export type ListenerState = 'connecting' | 'connected' | 'reconnecting' | 'unhealthy' | 'closed';
