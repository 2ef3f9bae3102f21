import { HttpException, HttpStatus, Logger, type CanActivate, type Type } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { ServerResponse, type IncomingMessage } from 'node:http';
import { isObservable, lastValueFrom } from 'rxjs';
import type { UpgradeRefusal } from '../platform/ws-verify-client.js';
import { createUpgradeExecutionContext } from '../platform/nest-upgrade-execution-context.js';

/**
 * Decides whether an HTTP upgrade may become a Firehose WebSocket: the origin check first, then
 * the app's guards in order, as Nest would run them on an HTTP route. Guards see the raw
 * upgrade request (Express middleware does not run on upgrades) and may attach to it, e.g.
 * `request.user`; the same request object is the authorizer's `context.request` later.
 */
export class UpgradeVerifier {
  private readonly logger = new Logger('Firehose');

  constructor(
    private readonly guards: CanActivate[],
    private readonly allowedOrigins: ReadonlySet<string> | undefined,
    private readonly gatewayClass: Type,
    private readonly handler: Function,
  ) {}

  /**
   * Browsers send cookies with a cross-site WebSocket upgrade, so a page of another site could act
   * as the signed-in user: only the app's own origin (the Origin's host is the request's Host) and
   * `allowedOrigins` may connect. A request without an Origin is no browser page's, and proceeds.
   */
  private originAllowed(request: IncomingMessage, origin: string): boolean {
    if (this.allowedOrigins?.has(origin)) return true;
    const host = request.headers.host;
    if (!host || !URL.canParse(origin)) return false;
    return new URL(origin).host === host.toLowerCase();
  }

  /** Resolves to undefined when the upgrade may proceed. */
  async verify(request: IncomingMessage, origin: string | undefined): Promise<UpgradeRefusal | undefined> {
    if (origin !== undefined && !this.originAllowed(request, origin)) {
      return {
        status: HttpStatus.FORBIDDEN,
        message: `Origin ${origin} may not open this WebSocket: it is not the app's own origin, nor in allowedOrigins.`,
      };
    }
    const context = createUpgradeExecutionContext(request, new ServerResponse(request), this.gatewayClass, this.handler);
    for (const guard of this.guards) {
      let allowed: boolean;
      try {
        const answer = guard.canActivate(context);
        allowed = await (isObservable(answer) ? lastValueFrom(answer) : answer);
      } catch (error) {
        if (error instanceof HttpException) return { status: error.getStatus(), message: error.message };
        this.logger.error(`A guard failed on a WebSocket upgrade, which is refused with 500: ${String(error)}`);
        return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
      }
      // As on an HTTP route, a guard that answers false means Forbidden.
      if (!allowed) return { status: HttpStatus.FORBIDDEN, message: 'Forbidden resource' };
    }
    return undefined;
  }
}

/** What a gateway checks at the upgrade: its guards (classes) and the origins it allows besides its own. */
export interface UpgradeChecks {
  guards: Type<CanActivate>[];
  allowedOrigins?: string[];
}

/**
 * A gateway's upgrade check, for `installVerifyClient`. The guards are instantiated on first use,
 * inside the gateway's module, as Nest does for `@UseGuards`.
 */
export function lazyUpgradeCheck(
  moduleRef: ModuleRef,
  checks: UpgradeChecks,
  gatewayClass: Type,
  handler: Function,
): (request: IncomingMessage, origin: string | undefined) => Promise<UpgradeRefusal | undefined> {
  let verifier: Promise<UpgradeVerifier> | undefined;
  return (request, origin) => {
    verifier ??= Promise.all(checks.guards.map((guard) => moduleRef.create(guard))).then(
      (guards) => new UpgradeVerifier(guards, checks.allowedOrigins && new Set(checks.allowedOrigins), gatewayClass, handler),
    );
    return verifier.then((ready) => ready.verify(request, origin));
  };
}
