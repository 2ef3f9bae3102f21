import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamRow } from '../store/stream-row.js';
import { formatOffset } from '../stream-offset.js';

export type Headers = Record<string, string>;

/**
 * Answers a request whole: `content-length`, and no body for 204 and 304. The headers every
 * response carries (CORS, security; PROTOCOL.md §10.7) were set by the gate before the framework
 * saw the request, so that refusals from guards carry them too.
 */
export function reply(res: ServerResponse, status: number, headers: Headers, body?: string | Buffer): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  if (payload !== undefined && status !== 204 && status !== 304) res.setHeader('content-length', payload.length);
  res.writeHead(status, headers);
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
