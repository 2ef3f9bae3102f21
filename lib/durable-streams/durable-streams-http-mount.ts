import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { expressRequestView } from '../platform/express-request-view.js';
import { interceptRequests } from '../platform/node-http-request-listener.js';
import type { DurableStreamsAuthorizer } from './durable-streams-authorizer.interface.js';
import type { ResolvedDurableStreamsOptions } from './durable-streams-options.js';
import type { DurableStreamsDirectDispatch } from './http/durable-streams-direct-dispatch.js';
import type { DurableStreamsRequestGate } from './http/durable-streams-request-gate.js';
import type { DurableStreamsRouter } from './http/durable-streams.router.js';
import { frameworkWorkOnRoute } from './http/framework-work-on-route.js';
import { streamTargetOf } from './http/stream-target.js';
import type { StreamWaiters } from './stream-waiters.js';

/**
 * Puts the Durable Streams gate in front of the framework on the app's HTTP server: the protocol
 * needs each request's exact bytes, and Nest's body parsers (registered before any module route
 * or middleware) would consume and reshape JSON bodies first. The gate keeps the body from them
 * and the request then goes through the framework to the module's controller, so the app's
 * middleware, guards and interceptors run on it; when the app has none of them for the route, the
 * gate serves the request itself with the module's guard and router. Every other request passes
 * untouched.
 */
export class DurableStreamsHttpMount implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('DurableStreams');
  private restore: (() => void) | undefined;
  /** Per base path length (the gate's `baseLength`): whether its requests skip the framework; decided at the first request. */
  private direct: Map<number, boolean> | undefined;
  private bases: readonly string[] = [];

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly appConfig: ApplicationConfig,
    private readonly gate: DurableStreamsRequestGate,
    private readonly router: DurableStreamsRouter,
    private readonly directDispatch: DurableStreamsDirectDispatch,
    private readonly waiters: StreamWaiters,
    private readonly options: ResolvedDurableStreamsOptions,
    private readonly authorizer: DurableStreamsAuthorizer | undefined,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer?.() as Server | undefined;
    if (!server || typeof server.listeners !== 'function') {
      this.logger.warn(`No HTTP server (an application context?): Durable Streams is not served at ${this.options.path}`);
      return;
    }
    // Both forms: the global prefix may exclude the route, and an unused form reaches no route.
    const prefix = this.appConfig.getGlobalPrefix().replace(/^\/+|\/+$/g, '');
    const bases = prefix ? [`/${prefix}${this.options.path}`, this.options.path] : [this.options.path];
    this.gate.serveUnder(bases);
    this.bases = bases;
    this.directDispatch.viewRequestsAs(expressRequestView(this.adapterHost.httpAdapter));
    this.router.setPublicReads(this.readsArePublic());
    this.restore = interceptRequests(server, (req, res) => {
      if (this.gate.intercept(req, res)) return true;
      const target = streamTargetOf(req);
      if (target === undefined || !this.isDirect(target.baseLength)) return false;
      this.directDispatch.dispatch(req, res);
      return true;
    });
    this.logger.log(`Durable Streams served at ${bases[0]}/*`);
    if (!this.authorizer) this.logger.warn('No authorizer configured: every Durable Streams request is refused (403).');
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

  /**
   * Decided at the first request rather than at bootstrap, so that middleware an app adds between
   * `init()` and `listen()` is seen too.
   */
  private isDirect(baseLength: number): boolean {
    if (this.direct === undefined) {
      this.direct = new Map();
      for (const base of this.bases) {
        const work = frameworkWorkOnRoute(this.adapterHost.httpAdapter, this.appConfig, base, this.options.guards.length);
        this.direct.set(base.length, work !== undefined && work.length === 0);
        this.logger.debug(
          work === undefined
            ? `Durable Streams requests under ${base} go through the framework`
            : work.length === 0
              ? `Durable Streams requests under ${base} go from the gate to the handler: the app runs nothing else on them`
              : `Durable Streams requests under ${base} go through the framework for ${work.join(', ')}`,
        );
      }
    }
    return this.direct.get(baseLength) === true;
  }

  /**
   * Shared caches may keep catch-up reads only when nothing stands between a stranger and a
   * stream: an authorizer that says so, and no guard (the module's or a global one) that might
   * refuse some readers. Global guards are all known by bootstrap.
   */
  private readsArePublic(): boolean {
    return (
      this.authorizer?.readsArePublic === true &&
      this.options.guards.length === 0 &&
      this.appConfig.getGlobalGuards().length === 0 &&
      this.appConfig.getGlobalRequestGuards().length === 0
    );
  }
}
