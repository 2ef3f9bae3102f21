// Contract: a connected pg.Client holds its socket in `connection.stream` (verified with pg 8.23.1; peer range ^8.16).
import type pg from 'pg';

/**
 * Drops a client's connection at once: `end()` waits on a server that may be hung. The client
 * stops emitting notifications and any late error is swallowed; its 'end' follows the socket's.
 */
export function destroyPgClientSocket(client: pg.Client): void {
  client.removeAllListeners('notification');
  client.on('error', () => undefined);
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
