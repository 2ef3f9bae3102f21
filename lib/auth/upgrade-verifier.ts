import { HttpException, HttpStatus, Logger, type CanActivate, type Type } from '@nestjs/common';
import { ServerResponse, type IncomingMessage } from 'node:http';
import { isObservable, lastValueFrom } from 'rxjs';
import type { UpgradeRefusal } from '../platform/ws-verify-client.js';
import { createUpgradeExecutionContext } from '../platform/nest-upgrade-execution-context.js';

/**
 * Decides whether an HTTP upgrade may become a Firehose WebSocket: the origin allow-list first,
 * then the app's guards in order, as Nest would run them on an HTTP route. Guards see the raw
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

  /** Resolves to undefined when the upgrade may proceed. */
  async verify(request: IncomingMessage, origin: string | undefined): Promise<UpgradeRefusal | undefined> {
    if (this.allowedOrigins && !(origin && this.allowedOrigins.has(origin))) {
      return { status: HttpStatus.FORBIDDEN, message: `Origin ${origin ?? '(none)'} is not in allowedOrigins.` };
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
