import { ForbiddenException, HttpException, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DurableStreamsAccessGuard } from './durable-streams-access.guard.js';
import type { DurableStreamsRouter } from './durable-streams.router.js';
import { reply } from './http-response.js';

/**
 * Serves a Durable Streams request from the gate when the app would run nothing on its route but
 * the module's own access guard: no middleware, no guard, interceptor or exception filter of the
 * app's or the module's. The framework's routing and execution context would then only cost time
 * (more than the append itself), so the gate asks the same guard and calls the same router, and a
 * refusal has the same status and JSON body Nest's exception filter gives it. A create sees its
 * request as the framework would (its `Location` may come from the framework's view of the proxy).
 */
export class DurableStreamsDirectDispatch {
  private readonly logger = new Logger('DurableStreams');
  private frameworkView: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;

  constructor(
    private readonly access: DurableStreamsAccessGuard,
    private readonly router: DurableStreamsRouter,
  ) {}

  /** What makes a request read as one the framework serves (see `streamLocation`). */
  viewRequestsAs(view: ((request: IncomingMessage, response: ServerResponse) => void) | undefined): void {
    this.frameworkView = view;
  }

  dispatch(request: IncomingMessage, response: ServerResponse): void {
    if (request.method === 'PUT') this.frameworkView?.(request, response);
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = this.access.check(request);
    } catch (error) {
      this.refuse(request, response, error);
      return;
    }
    if (verdict === true) {
      void this.router.handle(request, response);
      return;
    }
    Promise.resolve(verdict).then(
      (allowed) => (allowed === true ? this.router.handle(request, response) : this.refuse(request, response, undefined)),
      (error: unknown) => this.refuse(request, response, error),
    );
  }

  /** As Nest's exception filter answers: an HttpException's status and body, else a logged 500. */
  private refuse(request: IncomingMessage, response: ServerResponse, error: unknown): void {
    // A guard's `false` is Nest's ForbiddenException with its message.
    const exception = error === undefined ? new ForbiddenException('Forbidden resource') : error;
    // The body is unread: drained, so that the connection stays usable for the next request.
    request.resume();
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const status = exception.getStatus();
      const json = typeof body === 'object' ? body : { statusCode: status, message: body };
      reply(response, status, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify(json));
      return;
    }
    this.logger.error(`${request.method} ${request.url} failed: ${(exception as Error)?.stack ?? exception}`);
    reply(response, 500, { 'content-type': 'application/json; charset=utf-8' }, '{"statusCode":500,"message":"Internal server error"}');
  }
}
