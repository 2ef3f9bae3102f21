import { Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORS_ALLOW_METHODS } from '../durable-streams.constants.js';
import { StreamRequestError } from '../errors/stream-request.error.js';
import type { AppendHandler } from './append.handler.js';
import type { CreateDeleteHandler } from './create-delete.handler.js';
import { reply } from './http-response.js';
import type { OpenResponses } from './open-responses.js';
import type { ReadHandler } from './read.handler.js';
import { restoreFraming, streamTargetOf, type StreamTarget } from './stream-target.js';

/**
 * The Durable Streams protocol (PUT create, POST append/close, GET read / long-poll / SSE, HEAD,
 * DELETE) on `{path}/*`: dispatches by method, and turns failures into responses. It runs from
 * the module's controller, after the app's guards and the authorizer; the handlers read the
 * request body themselves, byte for byte (the gate kept it from the framework's body parsers).
 */
export class DurableStreamsRouter {
  private readonly logger = new Logger('DurableStreams');

  constructor(
    private readonly createDelete: CreateDeleteHandler,
    private readonly appends: AppendHandler,
    private readonly reads: ReadHandler,
    private readonly responses: OpenResponses,
  ) {}

  /** Whether shared caches may keep catch-up reads (see ReadHandler). */
  setPublicReads(isPublic: boolean): void {
    this.reads.setPublicReads(isPublic);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.responses.track(res);
    try {
      const target = streamTargetOf(req);
      // Only reachable if the route lost the access guard, which refuses requests without one.
      if (!target) throw new StreamRequestError(404, 'Stream not found');
      restoreFraming(req, target);
      await this.route(target, req, res);
    } catch (error) {
      if (error instanceof StreamRequestError) {
        reply(res, error.status, { 'content-type': 'text/plain', ...error.headers }, error.message);
      } else {
        this.logger.error(`${req.method} ${req.url} failed: ${(error as Error).stack ?? error}`);
        if (!res.headersSent) reply(res, 500, { 'content-type': 'text/plain' }, 'Internal server error');
        else res.destroy();
      }
    }
  }

  /** At shutdown: ends SSE responses and lets woken long-polls answer 204. */
  close(): void {
    this.responses.close();
  }

  private async route(target: StreamTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = target.path;
    switch (req.method) {
      case 'PUT':
        return this.createDelete.create(path, target.sourcePath, req, res);
      case 'POST':
        return this.appends.append(path, req, res);
      case 'GET':
        return this.reads.read(path, new URL(req.url ?? path, 'http://localhost'), req, res);
      case 'HEAD':
        return this.createDelete.head(path, res);
      case 'DELETE':
        return this.createDelete.remove(path, res);
      case 'OPTIONS':
        return reply(res, 204, { allow: CORS_ALLOW_METHODS });
      default:
        return reply(res, 405, { 'content-type': 'text/plain', allow: CORS_ALLOW_METHODS }, 'Method not allowed');
    }
  }
}
