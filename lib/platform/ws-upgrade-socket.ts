// Contract: `ws` writes a client's frames to its upgrade request's socket, each frame under a cork of its own (verified with ws 8.23.0, the one @nestjs/platform-ws 12.1 installs).
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The socket `ws` writes a client's frames to: the one its upgrade request arrived on. Corking it
 * holds every frame `ws` writes until it is uncorked, whole and in order, which is how a delivery
 * run's frames to one client leave in a single write.
 */
export function upgradeSocket(request: IncomingMessage): Socket {
  return request.socket;
}
