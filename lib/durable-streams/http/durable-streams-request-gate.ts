import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamRequestError } from '../errors/stream-request.error.js';
import type { DurableStreamsResponsePolicy } from './durable-streams-response-policy.js';
import { reply } from './http-response.js';
import { parseStreamPath } from './stream-path.js';
import { tagStreamRequest } from './stream-target.js';

/**
 * Sees every request before the framework does, and does as little as it can for the ones under
 * the base path: sets the headers every answer carries (CORS, security), answers what needs no
 * guard (CORS preflights, which carry no credentials; paths not in their one accepted form), and
 * leaves the stream's path on the request, its body unread for the handler. Every other request
 * passes untouched. The framework then routes the request to the module's controller, through the
 * app's middleware, guards and interceptors.
 */
export class DurableStreamsRequestGate {
  private bases: readonly string[] = [];

  constructor(private readonly policy: DurableStreamsResponsePolicy) {}

  /** The base paths served: the configured one, and the same under the app's global prefix. */
  serveUnder(bases: readonly string[]): void {
    this.bases = bases;
  }

  /** True when the gate answered the request itself; false passes it on to the framework. */
  intercept(request: IncomingMessage, response: ServerResponse): boolean {
    const url = request.url;
    if (url === undefined) return false;
    const baseLength = this.baseLengthOf(url);
    if (baseLength < 0) return false;
    this.policy.apply(request, response);
    if (request.method === 'OPTIONS' && this.policy.enabled) {
      this.policy.preflight(request, response);
      return true;
    }
    let path: string;
    try {
      path = parseStreamPath(url, baseLength);
    } catch (error) {
      const { status, message } = error as StreamRequestError;
      reply(response, status, { 'content-type': 'text/plain' }, message);
      return true;
    }
    tagStreamRequest(request, path, baseLength);
    return false;
  }

  /** The length of the base path `url` is below, or -1. */
  private baseLengthOf(url: string): number {
    for (const base of this.bases) {
      if (url.startsWith(base) && url.charCodeAt(base.length) === 47) return base.length;
    }
    return -1;
  }
}
