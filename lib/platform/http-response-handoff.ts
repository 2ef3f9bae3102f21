// Contract: Node's ServerResponse keeps `chunkedEncoding` writable and `end()` skips the last chunk when it is false, leaving the socket open under a keep-alive timeout (verified with Node 20.20; engines ^20.19 || ^22.12 || >=24).
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** The chunk that ends a chunked HTTP body. */
export const LAST_CHUNK = '0\r\n\r\n';

/** Whether the response's body, once its headers are out, is sent in HTTP/1.1 chunks. */
export function isChunkedResponse(response: ServerResponse): boolean {
  return (response as ServerResponse & { chunkedEncoding?: boolean }).chunkedEncoding === true;
}

/**
 * Hands a chunked exchange back to the HTTP server while the body goes on: the response is ended
 * without its last chunk, so Node and the framework drop the request and response objects (with
 * Express, about half of an idle SSE connection's memory, measured), and the client still sees
 * one chunked response that has not ended. The socket stays open: the keep-alive timeout set when
 * the response finished is cleared. From then on the caller writes chunks (and at last LAST_CHUNK)
 * to the socket itself.
 */
export function releaseChunkedResponse(response: ServerResponse, socket: Socket): void {
  (response as ServerResponse & { chunkedEncoding: boolean }).chunkedEncoding = false;
  response.once('finish', () => socket.setTimeout(0));
  response.end();
}
