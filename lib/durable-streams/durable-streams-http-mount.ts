import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { interceptRequests } from '../platform/node-http-request-listener.js';
import type { DurableStreamsRouter } from './http/durable-streams.router.js';
import type { StreamWaiters } from './stream-waiters.js';

/**
 * Mounts the Durable Streams router on the app's HTTP server, in front of the framework: the
 * protocol needs each request's exact bytes, and Nest's body parsers (registered before any module
 * route or middleware) would consume and reshape JSON bodies first. Requests under the base path
 * go to the router; every other request goes to the framework's own listeners, untouched.
 */
export class DurableStreamsHttpMount implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('DurableStreams');
  private restore: (() => void) | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly router: DurableStreamsRouter,
    private readonly waiters: StreamWaiters,
    private readonly path: string,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer?.() as Server | undefined;
    if (!server || typeof server.listeners !== 'function') {
      this.logger.warn(`No HTTP server (an application context?): Durable Streams is not served at ${this.path}`);
      return;
    }
    this.restore = interceptRequests(
      server,
      (url) => this.router.matches(url),
      (req, res) => void this.router.handle(req, res),
    );
    this.logger.log(`Durable Streams served at ${this.path}/*`);
  }

  /**
   * Ends long-polls and SSE responses before Nest closes the HTTP server, which otherwise waits
   * for them (up to `sseMaxDuration`) unless the app set `forceCloseConnections`.
   */
  beforeApplicationShutdown(): void {
    this.waiters.close();
    this.router.close();
  }

  onApplicationShutdown(): void {
    this.restore?.();
    this.restore = undefined;
  }
}
