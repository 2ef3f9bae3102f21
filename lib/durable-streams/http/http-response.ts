import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_EXPOSE_HEADERS } from '../durable-streams.constants.js';
import type { StreamRow } from '../store/stream-row.js';
import { formatOffset } from '../stream-offset.js';

export type Headers = Record<string, string>;

/** Headers on every response, errors included (PROTOCOL.md §10.7). */
export const BASE_HEADERS: Headers = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': CORS_ALLOW_METHODS,
  'access-control-allow-headers': CORS_ALLOW_HEADERS,
  'access-control-expose-headers': CORS_EXPOSE_HEADERS,
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'cross-origin',
  // A stream's bytes are served with the type it was created with, text/html and image/svg+xml
  // included: opened in a browser they must never run as a page of the app's origin.
  'content-security-policy': "default-src 'none'; sandbox",
};

/** Answers a request whole: the base headers, `content-length`, and no body for 204 and 304. */
export function reply(res: ServerResponse, status: number, headers: Headers, body?: string | Buffer): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  const all: Headers = { ...BASE_HEADERS, ...headers };
  if (payload !== undefined && status !== 204 && status !== 304) all['content-length'] = String(payload.length);
  res.writeHead(status, all);
  res.end(status === 204 || status === 304 ? undefined : payload);
}

/** The first value of a request header. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

/** Identifies the bytes of a response: the stream id (not its path, which a new stream may reuse) and the range. */
export function etag(row: StreamRow, start: string, end: number, eof: boolean): string {
  return `"${row.id}:${start}:${formatOffset(end)}${eof ? ':c' : ''}"`;
}
