import type { IncomingMessage } from 'node:http';
import { StreamRequestError } from '../errors/stream-request.error.js';

/**
 * The request body, byte for byte, up to `limit` bytes; past it a 413 (the rest of the body is
 * drained, so the connection stays usable). A body cut off by the client (its connection closed
 * mid-way) is a 400 no one will read, not a server failure.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new StreamRequestError(413, `The body exceeds ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cutOff = () => reject(new StreamRequestError(400, 'The request body was cut off'));
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new StreamRequestError(413, `The body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', cutOff);
    req.on('close', () => {
      if (!req.complete) cutOff();
    });
  });
}
