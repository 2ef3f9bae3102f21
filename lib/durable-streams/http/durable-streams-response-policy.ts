import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_EXPOSE_HEADERS, CORS_PREFLIGHT_MAX_AGE } from '../durable-streams.constants.js';

/**
 * The headers that say who may read a response and what it may do: no script runs from it
 * (`Content-Security-Policy: sandbox`, nosniff), and no CORS headers for other origins unless `allowedOrigins`
 * lists them (`'*'` for any). A listed origin is echoed with `Vary: Origin`, so a shared cache
 * never hands one origin's answer to another.
 */
export class DurableStreamsResponsePolicy {
  /** Whether any origin besides the app's own may call the routes. */
  readonly enabled: boolean;
  private readonly anyOrigin: boolean;
  private readonly origins: ReadonlySet<string>;
  private readonly resourcePolicy: string;

  constructor(allowedOrigins: readonly string[] | undefined) {
    this.anyOrigin = allowedOrigins?.includes('*') ?? false;
    this.origins = new Set(allowedOrigins ?? []);
    this.enabled = this.origins.size > 0;
    // Cross-origin no-cors loads (an <img>, a <script>) of a stream are refused unless any origin may read it.
    this.resourcePolicy = this.anyOrigin ? 'cross-origin' : 'same-origin';
  }

  /** Sets the headers every response to a Durable Streams request carries (security, CORS), errors from guards included. */
  apply(request: IncomingMessage, response: ServerResponse): void {
    response.setHeader('x-content-type-options', 'nosniff');
    // A stream's bytes are served with the type it was created with, text/html and image/svg+xml
    // included: opened in a browser they must never run as a page of the app's origin.
    response.setHeader('content-security-policy', "default-src 'none'; sandbox");
    response.setHeader('cross-origin-resource-policy', this.resourcePolicy);
    if (!this.enabled) return;
    // '*' goes on every response, Origin or not; an echoed origin varies with the request.
    if (!this.anyOrigin) response.setHeader('vary', 'Origin');
    const origin = this.anyOrigin ? '*' : this.allowedOrigin(request);
    if (origin === undefined) return;
    response.setHeader('access-control-allow-origin', origin);
    response.setHeader('access-control-expose-headers', CORS_EXPOSE_HEADERS);
  }

  /** Answers an `OPTIONS` request: a CORS preflight from an allowed origin gets its permissions, any other just `Allow`. */
  preflight(request: IncomingMessage, response: ServerResponse): void {
    response.setHeader('allow', CORS_ALLOW_METHODS);
    if (this.allowedOrigin(request) !== undefined && request.headers['access-control-request-method'] !== undefined) {
      response.setHeader('access-control-allow-methods', CORS_ALLOW_METHODS);
      // The listed origin is trusted: it may send the headers its page needs (e.g. its own auth header).
      response.setHeader('access-control-allow-headers', request.headers['access-control-request-headers'] ?? CORS_ALLOW_HEADERS);
      response.setHeader('access-control-max-age', String(CORS_PREFLIGHT_MAX_AGE));
    }
    response.writeHead(204);
    response.end();
  }

  /** The `Access-Control-Allow-Origin` value for this request, or undefined when its origin may not read. */
  private allowedOrigin(request: IncomingMessage): string | undefined {
    const origin = request.headers.origin;
    if (origin === undefined) return undefined;
    if (this.anyOrigin) return '*';
    return this.origins.has(origin) ? origin : undefined;
  }
}
