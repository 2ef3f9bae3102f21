import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { DurableStreamsHandler } from './durable-streams.handler.js';
import type { StreamWaiters } from './stream-waiters.js';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Mounts the Durable Streams handler on the app's HTTP server, in front of the framework: the
 * protocol needs each request's exact bytes, and Nest's body parsers (registered before any module
 * route or middleware) would consume and reshape JSON bodies first. Requests under the base path
 * go to the handler; every other request goes to the framework's own listeners, untouched.
 */
export class DurableStreamsServer implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('DurableStreams');
  private server: Server | undefined;
  private listener: RequestListener | undefined;
  private framework: RequestListener[] = [];

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly handler: DurableStreamsHandler,
    private readonly waiters: StreamWaiters,
    private readonly path: string,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer?.() as Server | undefined;
    if (!server || typeof server.listeners !== 'function') {
      this.logger.warn(`No HTTP server (an application context?): Durable Streams is not served at ${this.path}`);
      return;
    }
    this.server = server;
    this.framework = server.listeners('request') as RequestListener[];
    this.listener = (req, res) => {
      if (this.handler.matches(req.url)) void this.handler.handle(req, res);
      else for (const listener of this.framework) listener.call(server, req, res);
    };
    server.removeAllListeners('request');
    server.on('request', this.listener);
    this.logger.log(`Durable Streams served at ${this.path}/*`);
  }

  /**
   * Ends long-polls and SSE responses before Nest closes the HTTP server, which otherwise waits
   * for them (up to `sseMaxDuration`) unless the app set `forceCloseConnections`.
   */
  beforeApplicationShutdown(): void {
    this.waiters.close();
    this.handler.close();
  }

  onApplicationShutdown(): void {
    if (this.server && this.listener) {
      this.server.removeListener('request', this.listener);
      for (const listener of this.framework) this.server.on('request', listener);
    }
    this.server = undefined;
  }
}
