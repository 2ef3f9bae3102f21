import { Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORS_ALLOW_METHODS } from '../durable-streams.constants.js';
import { StreamRequestError } from '../errors/stream-request.error.js';
import type { AppendHandler } from './append.handler.js';
import type { CreateDeleteHandler } from './create-delete.handler.js';
import { reply } from './http-response.js';
import type { OpenResponses } from './open-responses.js';
import type { ReadHandler } from './read.handler.js';

/**
 * The Durable Streams protocol (PUT create, POST append/close, GET read / long-poll / SSE, HEAD,
 * DELETE) on `{path}/*`: dispatches by method, and turns failures into responses. The handlers
 * read the request body themselves, byte for byte, so this runs ahead of any framework body parser.
 */
export class DurableStreamsRouter {
  private readonly logger = new Logger('DurableStreams');

  constructor(
    private readonly path: string,
    private readonly createDelete: CreateDeleteHandler,
    private readonly appends: AppendHandler,
    private readonly reads: ReadHandler,
    private readonly responses: OpenResponses,
  ) {}

  /** Whether a request URL is under the base path. */
  matches(url: string | undefined): boolean {
    if (!url) return false;
    const base = this.path;
    return url.startsWith(base) && (url.length === base.length || url[base.length] === '/' || url[base.length] === '?');
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.responses.track(res);
    try {
      await this.route(req, res);
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

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'OPTIONS') return reply(res, 204, {});
    // The URL parser resolves dot segments, which may lead out of the base path.
    if (!path.startsWith(this.path + '/') || path.length <= this.path.length + 1) {
      throw new StreamRequestError(404, 'Stream not found: give a stream name after the base path');
    }
    switch (method) {
      case 'PUT':
        return this.createDelete.create(path, req, res);
      case 'POST':
        return this.appends.append(path, req, res);
      case 'GET':
        return this.reads.read(path, url, req, res);
      case 'HEAD':
        return this.createDelete.head(path, res);
      case 'DELETE':
        return this.createDelete.remove(path, res);
      default:
        return reply(res, 405, { 'content-type': 'text/plain', allow: CORS_ALLOW_METHODS }, 'Method not allowed');
    }
  }
}
