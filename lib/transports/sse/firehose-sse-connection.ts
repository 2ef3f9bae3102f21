import type { Logger } from '@nestjs/common';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStreamReader, EventStreamReaderFactory, EventStreamSink } from '../../delivery/event-stream-reader.js';
import type { FirehoseAuthorizer, FirehoseConnectionContext } from '../../interfaces/firehose-authorizer.interface.js';
import { isFirehoseReset, type FirehoseEvent, type FirehoseStreamItem } from '../../protocol/firehose-event.js';
import { OrderedConnection } from '../connection/ordered-connection.js';
import { isChunkedResponse, LAST_CHUNK, releaseChunkedResponse } from '../../platform/http-response-handoff.js';
import type { CoalescedWriter, SseWriteCoalescer } from './sse-write-coalescer.js';
import { eventFrame, openingFrame, resetFrame } from '../../protocol/sse-frames.js';
import { HEARTBEAT_FRAME, sharedEventFrame } from './sse-frame-bytes.js';
import type { DeliveryTransport } from '../../stats/delivery-transport.js';
import type { FirehoseStats } from '../../stats/firehose-stats.js';
import { SSE_GZIP_HEADERS, SseGzip } from './sse-gzip.js';
import { SseChunk } from './sse-chunk.js';

export interface FirehoseSseConnectionOptions {
  authorizer: FirehoseAuthorizer | undefined;
  coalescer: SseWriteCoalescer;
  retry: number;
  maxPendingBytes: number;
  logger: Logger;
  stats: FirehoseStats;
  /** Compress the body with gzip (the app turned `sseCompression` on and the client accepts it). */
  gzip?: boolean;
}

/**
 * `no-transform` keeps compression middleware off the response (`compression` honours it), since a
 * compressor holds events back until its buffer fills. `X-Accel-Buffering` does the same for nginx.
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};

/**
 * One SSE client: writes the frames of its streams straight to the response. Hub events go out as
 * the bytes shared by every connection; only a `buildEvent` hook makes frames per connection.
 */
export class FirehoseSseConnection extends OrderedConnection implements EventStreamSink, CoalescedWriter {
  private reader?: EventStreamReader;
  /** The id of the newest event this client holds: what it would send back as Last-Event-ID. */
  private cursor: number | undefined;
  /** Frames waiting for the coalescer's flush; undefined when none wait. */
  private queued: Buffer[] | undefined;
  /**
   * The socket, once the headers are out: frames then go to it directly, framed as HTTP chunks
   * when the response is chunked. Frameworks give every response object a hidden class of its own
   * (Express sets each one's prototype), which makes every property access in Node's
   * `res.write()` a slow lookup: about 12 µs per event and connection in the fanout bench.
   */
  private socket?: Socket;
  private chunked = false;
  private ended = false;
  /** The compressor, when the body is gzip: every frame then goes through it, flushed per write. */
  private gzip?: SseGzip;

  /**
   * The framework's response, until the HTTP server has let go of the exchange (see `release`):
   * then the body continues on the socket, and this connection ends it with the last chunk itself.
   */
  private response: ServerResponse | undefined;

  /**
   * @param context Only kept for `buildEvent`: it holds the request, and through it the response.
   */
  constructor(
    response: ServerResponse,
    private readonly context: FirehoseConnectionContext | undefined,
    private readonly options: FirehoseSseConnectionOptions,
    private readonly onEnd: (connection: FirehoseSseConnection) => void,
  ) {
    super(options.authorizer);
    this.response = response;
  }

  open(readers: EventStreamReaderFactory, streams: string[], lastEventId: number | undefined): void {
    this.cursor = lastEventId;
    const response = this.response!;
    const socket = response.socket;
    // Events must leave at once, and an idle stream is not a dead one (heartbeats tell).
    socket?.setNoDelay(true);
    socket?.setTimeout(0);
    const onResponseClose = () => this.end();
    response.once('close', onResponseClose);
    if (this.options.gzip) this.gzip = new SseGzip((bytes) => this.writeCompressed(bytes));
    response.writeHead(200, this.gzip ? { ...SSE_HEADERS, ...SSE_GZIP_HEADERS } : SSE_HEADERS);
    // Through the response once: it sends the headers and decides on chunked encoding.
    if (this.gzip) response.flushHeaders();
    else response.write(openingFrame(this.options.retry));
    if (response.headersSent && socket && !socket.destroyed) {
      this.socket = socket;
      this.chunked = isChunkedResponse(response);
      if (this.chunked) {
        response.off('close', onResponseClose);
        this.release(response, socket);
      }
    }
    this.gzip?.write(openingFrame(this.options.retry));
    if (!this.ended) this.reader = readers.open(streams, lastEventId, this);
  }

  /** Lets the HTTP server drop the exchange (platform/http-response-handoff.ts); the socket's close then ends this connection. */
  private release(response: ServerResponse, socket: Socket): void {
    this.response = undefined;
    releaseChunkedResponse(response, socket);
    socket.once('close', () => this.end());
  }

  get transport(): DeliveryTransport {
    return 'sse';
  }

  /** The socket this connection writes to once the HTTP server has let go of the exchange. */
  get releasedSocket(): Socket | undefined {
    return this.response ? undefined : this.socket;
  }

  heartbeat(): void {
    this.queue(HEARTBEAT_FRAME);
  }

  next(item: FirehoseStreamItem): void {
    if (this.ended) return;
    if (isFirehoseReset(item)) {
      if (item.reason === 'cursor-ahead') this.cursor = item.lastEventId;
      this.inOrder(() => this.queue(Buffer.from(resetFrame(item, this.cursor))));
    } else if (!this.buildsEvents) {
      this.cursor = item.id;
      this.queue(sharedEventFrame(item));
    } else this.buildInOrder(item, this.context!, undefined);
  }

  protected deliverBuilt(event: FirehoseEvent, built: FirehoseEvent | null): void {
    // A skipped event still moves the cursor: the client has nothing to wait for up to it.
    this.cursor = event.id;
    if (built) this.queue(Buffer.from(eventFrame(built)));
  }

  protected buildFailed(error: unknown): void {
    this.error(error);
  }

  error(error: unknown): void {
    // Ending the response lets the client resume from its real last id.
    this.options.logger.error(`SSE stream failed; the response is ended so the client resumes: ${String(error)}`);
    this.end();
  }

  complete(): void {
    this.end();
  }

  /** Ends the response (the client reconnects with its Last-Event-ID) and stops reading. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.reader?.close();
    // The gzip trailer goes out before the body ends; a client already gone gets neither.
    if (this.gzip && !(this.response ?? this.socket)?.destroyed) this.gzip.end(() => this.endBody());
    else {
      this.gzip?.destroy();
      this.endBody();
    }
    this.onEnd(this);
  }

  private endBody(): void {
    if (this.response) {
      if (!this.response.writableEnded) this.response.end();
    } else if (!this.socket!.destroyed) {
      // The last chunk ends the body; the client reconnects on a new connection.
      this.socket!.end(LAST_CHUNK);
    }
  }

  /**
   * Ends the response and resolves once it is flushed (or after `maxWait`): the server only closes
   * a keep-alive connection at once if it is idle by then, else it waits for the keep-alive timeout.
   */
  async endAndFlush(maxWait: number): Promise<void> {
    const stream = this.response ?? this.socket!;
    this.end();
    if (stream.writableFinished || stream.destroyed) return;
    await Promise.race([once(stream, 'close'), once(stream, 'finish'), sleep(maxWait, undefined, { ref: false })]);
  }

  takeQueued(): Buffer[] {
    const frames = this.queued ?? [];
    this.queued = undefined;
    return frames;
  }

  writeChunk(chunk: SseChunk): void {
    if (this.ended) return;
    if (this.gzip) this.gzip.write(chunk.payload);
    else if (this.socket) this.socket.write(this.chunked ? chunk.framed : chunk.payload);
    else this.response!.write(chunk.payload);
  }

  /** Compressed bytes, flushed per write, framed like uncompressed ones (also the trailer after `end`). */
  private writeCompressed(bytes: Buffer): void {
    if (this.socket) {
      if (!this.socket.destroyed) this.socket.write(this.chunked ? new SseChunk(bytes).framed : bytes);
    } else if (this.response && !this.response.writableEnded) this.response.write(bytes);
  }

  /**
   * A client that does not read would make the server hold every later frame for it: cut it off
   * instead; it reconnects with Last-Event-ID and replay fills the gap.
   */
  checkPending(): void {
    if (this.ended) return;
    const pending = (this.socket ? this.socket.writableLength : this.response!.writableLength) + (this.gzip?.pendingBytes ?? 0);
    if (pending <= this.options.maxPendingBytes) return;
    this.options.logger.warn(
      `An SSE client is not reading: ${pending} bytes wait for it, more than sseMaxPendingBytes (${this.options.maxPendingBytes}); its response is ended and it will resume from its last id.`,
    );
    this.options.stats.droppedSlow('sse', this.reader?.streams ?? []);
    (this.response ?? this.socket!).destroy();
    this.end();
  }

  private queue(frame: Buffer): void {
    if (this.ended) return;
    if (this.queued) this.queued.push(frame);
    else {
      this.queued = [frame];
      this.options.coalescer.schedule(this);
    }
  }
}
