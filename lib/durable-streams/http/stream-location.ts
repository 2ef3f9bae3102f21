import type { IncomingMessage } from 'node:http';

/** The parts of an Express request (and its app) that say where the client believes it is. */
type ExpressRequest = IncomingMessage & {
  app?: { get?(setting: string): unknown };
  protocol?: string;
  host?: string;
};

/**
 * The `Location` of a stream just created. `Host` and `X-Forwarded-*` are the client's word, so
 * they name the URL only when the app trusts its proxy (Express's `trust proxy` setting), through
 * Express's own reading of them (`req.protocol`, `req.host`, which honor it hop by hop). Otherwise
 * the path alone, which HTTP resolves against the request's URL (RFC 9110 §10.2.2).
 */
export function streamLocation(request: IncomingMessage, path: string): string {
  const express = request as ExpressRequest;
  const trust = express.app?.get?.('trust proxy');
  if (trust === undefined || trust === false || trust === 0) return path;
  const { protocol, host } = express;
  return protocol && host ? `${protocol}://${host}${path}` : path;
}
