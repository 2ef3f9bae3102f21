import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { constants, gunzipSync } from 'node:zlib';
import { waitFor } from '../utils/collect.js';

/** A raw SSE response read byte for byte, decompressed on demand as far as it has arrived. */
export interface GzipSseReader {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body's bytes as received (compressed when the response is). */
  readonly raw: Buffer;
  /**
   * The text of everything received so far: gunzipped when the response is gzip, with a sync
   * flush at the end, so a stream the server has flushed decodes up to its last flush.
   */
  text(): string;
  /** The body decoded strictly: throws unless it is a complete gzip stream (trailer included). */
  completeText(): string;
  /** Resolves once `text()` contains `needle`. */
  waitForText(needle: string, timeoutMs?: number): Promise<void>;
  readonly ended: Promise<void>;
  close(): void;
}

/** GETs an SSE endpoint without decoding anything, so a test sees what the server sent when. */
export function openGzipSse(url: string, headers: Record<string, string> = {}): Promise<GzipSseReader> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      const ended = new Promise<void>((done) => {
        res.on('end', done);
        res.on('close', done);
      });
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const raw = () => Buffer.concat(chunks);
      const gzip = res.headers['content-encoding'] === 'gzip';
      const text = () => {
        const bytes = raw();
        if (!gzip || bytes.length === 0) return bytes.toString('utf8');
        return gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
      };
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        get raw() {
          return raw();
        },
        text,
        completeText: () => (gzip ? gunzipSync(raw()).toString('utf8') : raw().toString('utf8')),
        waitForText: (needle, timeoutMs = 10_000) => waitFor(() => text().includes(needle), timeoutMs, JSON.stringify(needle)),
        ended,
        close: () => {
          req.destroy();
          res.destroy();
        },
      });
    });
    req.end();
  });
}
