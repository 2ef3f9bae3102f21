import type { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The HTTP server reads a released socket (platform/http-response-handoff.ts) as an idle
 * keep-alive connection, so a client that sent another request on it would get that response in
 * the middle of its event stream. No SSE client does; one that does is hung up on.
 */
export class PipelinedRequestRefusal {
  /** Sockets whose event stream goes on after the HTTP server considers the exchange done. */
  private readonly releasedSockets = new WeakSet<Socket>();
  private watchedServer?: Server;

  constructor(private readonly adapterHost?: HttpAdapterHost) {}

  watch(socket: Socket): void {
    this.releasedSockets.add(socket);
    if (this.watchedServer) return;
    const server: Server | undefined = this.adapterHost?.httpAdapter?.getHttpServer();
    if (!server) return;
    this.watchedServer = server;
    server.prependListener('request', this.refuse);
  }

  stop(): void {
    this.watchedServer?.off('request', this.refuse);
    this.watchedServer = undefined;
  }

  private readonly refuse = (request: IncomingMessage): void => {
    if (this.releasedSockets.has(request.socket)) request.socket.destroy();
  };
}
