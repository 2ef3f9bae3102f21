import type { IncomingMessage } from 'node:http';
import { constants, createGzip, type Gzip, type ZlibOptions } from 'node:zlib';

/** Headers a gzip-compressed event stream adds to the SSE headers. */
export const SSE_GZIP_HEADERS: Readonly<Record<string, string>> = { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' };

/**
 * Every write is flushed with Z_SYNC_FLUSH, so each event leaves whole and decodable at once
 * rather than when a deflate block fills: compression saves bytes, never adds latency. An 8 KiB
 * window (and a matching hash table) keeps each connection's compressor near 64 KiB instead of
 * zlib's default of about 256 KiB; SSE events are small and repeat their keys within a few lines.
 */
const GZIP_OPTIONS: ZlibOptions = { flush: constants.Z_SYNC_FLUSH, windowBits: 13, memLevel: 6 };

/**
 * Whether the request accepts a gzip body (`Accept-Encoding: gzip`, not with `q=0`). Read by hand
 * rather than with a negotiation library: one coding, one header, any HTTP adapter.
 */
export function acceptsGzip(request: IncomingMessage): boolean {
  const header = request.headers['accept-encoding'];
  if (!header) return false;
  for (const part of String(header).toLowerCase().split(',')) {
    const [coding, ...params] = part.split(';').map((p) => p.trim());
    if (coding !== 'gzip' && coding !== 'x-gzip') continue;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/**
 * The gzip stream of one SSE response. Bytes written come out compressed and flushed, in order,
 * through `out`, which frames them for the response (an HTTP chunk, or raw bytes).
 */
export class SseGzip {
  private readonly gzip: Gzip;

  constructor(out: (bytes: Buffer) => void) {
    this.gzip = createGzip(GZIP_OPTIONS);
    this.gzip.on('data', out);
    // A compressor fails only if misused or out of memory; the response then ends without it.
    this.gzip.on('error', () => this.gzip.destroy());
  }

  write(bytes: Buffer | string): void {
    if (!this.gzip.destroyed && !this.gzip.writableEnded) this.gzip.write(bytes);
  }

  /** Bytes taken but not yet handed to `out`: part of what waits for a slow client. */
  get pendingBytes(): number {
    return this.gzip.writableLength + this.gzip.readableLength;
  }

  /** Writes the gzip trailer through `out`, then calls `done` (at once if the stream is gone). */
  end(done: () => void): void {
    if (this.gzip.destroyed) {
      done();
      return;
    }
    this.gzip.once('close', done);
    this.gzip.end();
  }

  /** The client is gone: drops what is pending. */
  destroy(): void {
    this.gzip.destroy();
  }
}
