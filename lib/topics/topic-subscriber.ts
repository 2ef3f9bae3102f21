import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isChunkedResponse, LAST_CHUNK, releaseChunkedResponse } from '../platform/http-response-handoff.js';
import { openingFrame } from '../protocol/sse-frames.js';
import type { Heartbeating } from '../transports/connection/heartbeat-timer.js';
import { SSE_HEADERS } from '../transports/sse/firehose-sse-connection.js';
import { SseChunk } from '../transports/sse/sse-chunk.js';
import { SSE_GZIP_HEADERS, SseGzip } from '../transports/sse/sse-gzip.js';
import { TOPIC_HEARTBEAT_CHUNK } from './topic-frames.js';

export interface TopicSubscriberOptions {
  /** The `retry:` hint, in ms. */
  retry: number;
  /** Compress the body with gzip, flushed per write. */
  gzip: boolean;
}

/**
 * One subscriber of one topic: an SSE response written straight to its socket once the headers
 * are out, as the core's SSE connections are (platform/http-response-handoff.ts), so a message's
 * chunk is the same Buffer for every subscriber of the topic. With gzip each subscriber
 * compresses for itself, flushed per write.
 */
export class TopicSubscriber implements Heartbeating {
  private response: ServerResponse | undefined;
  private socket?: Socket;
  private chunked = false;
  private ended = false;
  private gzip?: SseGzip;

  constructor(
    response: ServerResponse,
    readonly topic: string,
    private readonly options: TopicSubscriberOptions,
    private readonly onEnd: (subscriber: TopicSubscriber) => void,
  ) {
    this.response = response;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Sends the headers and the `retry:` hint; from then on `write` sends messages. */
  open(): void {
    const retry = this.options.retry;
    const response = this.response!;
    const socket = response.socket;
    // Messages must leave at once, and an idle topic is not a dead one (heartbeats tell).
    socket?.setNoDelay(true);
    socket?.setTimeout(0);
    const onResponseClose = () => this.end();
    response.once('close', onResponseClose);
    if (this.options.gzip) this.gzip = new SseGzip((bytes) => this.writeCompressed(bytes));
    response.writeHead(200, this.gzip ? { ...SSE_HEADERS, ...SSE_GZIP_HEADERS } : SSE_HEADERS);
    if (this.gzip) response.flushHeaders();
    else response.write(openingFrame(retry));
    if (response.headersSent && socket && !socket.destroyed) {
      this.socket = socket;
      this.chunked = isChunkedResponse(response);
      if (this.chunked) {
        response.off('close', onResponseClose);
        this.response = undefined;
        releaseChunkedResponse(response, socket);
        socket.once('close', () => this.end());
      }
    }
    this.gzip?.write(openingFrame(retry));
  }

  /** The socket this subscriber writes to once the HTTP server has let go of the exchange. */
  get releasedSocket(): Socket | undefined {
    return this.response ? undefined : this.socket;
  }

  write(chunk: SseChunk): void {
    if (this.ended) return;
    if (this.gzip) this.gzip.write(chunk.payload);
    else if (this.socket) this.socket.write(this.chunked ? chunk.framed : chunk.payload);
    else this.response!.write(chunk.payload);
  }

  heartbeat(): void {
    this.write(TOPIC_HEARTBEAT_CHUNK);
  }

  /** Bytes written but not yet taken by the client's TCP stack. */
  get pendingBytes(): number {
    if (this.ended) return 0;
    return (this.socket ? this.socket.writableLength : this.response!.writableLength) + (this.gzip?.pendingBytes ?? 0);
  }

  /** Hangs up on a client that does not read: it could not receive the end of the body anyway. */
  drop(): void {
    if (this.ended) return;
    (this.response ?? this.socket)?.destroy();
    this.end();
  }

  /** Ends the response; the client's EventSource reconnects. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    // The gzip trailer goes out before the body ends; a client already gone gets neither.
    if (this.gzip && !(this.response ?? this.socket)?.destroyed) this.gzip.end(() => this.endBody());
    else {
      this.gzip?.destroy();
      this.endBody();
    }
    this.onEnd(this);
  }

  /** Ends the response and resolves once it is flushed, or after `maxWait` (at shutdown). */
  async endAndFlush(maxWait: number): Promise<void> {
    const stream = this.response ?? this.socket;
    this.end();
    if (!stream || stream.writableFinished || stream.destroyed) return;
    await Promise.race([once(stream, 'close'), once(stream, 'finish'), sleep(maxWait, undefined, { ref: false })]);
  }

  private endBody(): void {
    if (this.response) {
      if (!this.response.writableEnded) this.response.end();
    } else if (this.socket && !this.socket.destroyed) {
      this.socket.end(LAST_CHUNK);
    }
  }

  /** Compressed bytes (the trailer too, after `end`), framed like uncompressed ones. */
  private writeCompressed(bytes: Buffer): void {
    if (this.socket) {
      if (!this.socket.destroyed) this.socket.write(this.chunked ? new SseChunk(bytes).framed : bytes);
    } else if (this.response && !this.response.writableEnded) this.response.write(bytes);
  }
}
