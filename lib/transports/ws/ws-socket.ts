import type { Logger } from '@nestjs/common';
import type { WebSocket } from 'ws';

/** `WebSocket.OPEN`, without loading `ws` at runtime (it is the adapter's dependency, not ours). */
export const WS_OPEN = 1;
/** How long a closed socket may wait for the client's closing handshake before it is dropped. */
const WS_CLOSE_GRACE_MS = 2000;

/**
 * Closes an open socket with `code` and `reason`. A client that does not read never answers the
 * close either, and `ws` would hold its unsent frames for 30 s waiting for it: the socket is
 * dropped after a short grace instead.
 */
export function closeWithGrace(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState !== WS_OPEN) return;
  socket.close(code, reason);
  setTimeout(() => socket.terminate(), WS_CLOSE_GRACE_MS).unref();
}

/**
 * Replaces the error listeners of a client's socket. Nest's adapter logs every socket error at
 * error level; a client that breaks the protocol (a frame over the limit, bad framing; `ws` closes
 * it with 1009 or 1002) is routine on a public endpoint and must not let anyone flood the logs,
 * so those become debug lines.
 */
export function logSocketErrors(socket: WebSocket, logger: Logger, label: string): void {
  socket.removeAllListeners('error');
  socket.on('error', (error: Error & { code?: string }) => {
    if (error.code?.startsWith('WS_ERR_')) logger.debug(`${label} client broke the protocol: ${error.message}`);
    else logger.error(`${label} error: ${error.message}`);
  });
}
