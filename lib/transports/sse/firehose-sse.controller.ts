import { ForbiddenException, Inject, Logger, Optional, type BeforeApplicationShutdown, MethodNotAllowedException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EventStreamReaderFactory } from '../../delivery/event-stream-reader.js';
import { FIREHOSE_AUTHORIZER, FIREHOSE_RESOLVED_OPTIONS } from '../../firehose.constants.js';
import { startHeartbeatTimer } from '../connection/heartbeat-timer.js';
import { authorizedStreamsOf } from './firehose-streams.guard.js';
import type { ResolvedFirehoseOptions } from '../../firehose-options.js';
import type { FirehoseAuthorizer } from '../../interfaces/firehose-authorizer.interface.js';
import { FirehoseSseConnection } from './firehose-sse-connection.js';
import { parseLastEventId } from './sse-request.js';
import { SseWriteCoalescer } from './sse-write-coalescer.js';
import { ConnectionSlots } from '../connection/connection-slots.js';
import { refuseForCapacity } from './sse-capacity-refusal.js';
import { FirehoseStats } from '../../stats/firehose-stats.js';
import { acceptsGzip } from './sse-gzip.js';
import { PipelinedRequestRefusal } from './pipelined-request-refusal.js';

/** Longest wait, per shutdown, for ended responses to flush. */
const SHUTDOWN_FINISH_WAIT = 1000;

/**
 * `GET {path}/sse?streams=a,b`: the Firehose protocol over Server-Sent Events. This base class has
 * no route decorators: the path comes from the module's extras, so each registration gets its own
 * decorated subclass (createFirehoseSseController). FirehoseStreamsGuard has already validated and
 * authorized the streams when `events` runs.
 *
 * It writes to the response itself rather than returning an Observable to `@Sse()`: Nest's SSE
 * pipeline formats every message for every connection and settles a promise per write, about 6×
 * the CPU of a bare `res.write` per delivery (bench/README.md, "fanout"), where shared frames
 * written through SseWriteCoalescer cost less than the bare write.
 */
export class FirehoseSseController implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Firehose');
  private readonly connections = new Set<FirehoseSseConnection>();
  private heartbeat?: NodeJS.Timeout;
  private readonly coalescer = new SseWriteCoalescer();
  private readonly pipelined: PipelinedRequestRefusal;

  constructor(
    private readonly readers: EventStreamReaderFactory,
    private readonly slots: ConnectionSlots,
    @Inject(FIREHOSE_RESOLVED_OPTIONS) private readonly options: ResolvedFirehoseOptions,
    private readonly stats: FirehoseStats,
    @Optional() @Inject(FIREHOSE_AUTHORIZER) private readonly authorizer?: FirehoseAuthorizer,
    @Optional() adapterHost?: HttpAdapterHost,
  ) {
    this.pipelined = new PipelinedRequestRefusal(adapterHost);
    stats.register({ name: 'sse', connections: () => this.connections.size });
  }

  events(request: IncomingMessage, response: ServerResponse): void {
    // Express routes HEAD to GET handlers; a stream has no headers-only form, and once the socket is
    // handed over Node could no longer drop the body a HEAD response must not have.
    if (request.method === 'HEAD') {
      response.setHeader('Allow', 'GET');
      throw new MethodNotAllowedException('The Firehose SSE route answers GET only.');
    }
    const streams = authorizedStreamsOf(request);
    if (!streams) {
      // Only reachable if the route lost its FirehoseStreamsGuard: refuse rather than serve unchecked.
      throw new ForbiddenException('The Firehose SSE route ran without FirehoseStreamsGuard; register it through FirehoseModule.');
    }
    const lastEventId = parseLastEventId(request);
    if (!this.slots.take()) refuseForCapacity(response, this.slots.refusal);
    const connection = new FirehoseSseConnection(
      response,
      // The request is kept only for buildEvent: held for the whole stream, it keeps the response.
      this.authorizer?.buildEvent ? { transport: 'sse', request } : undefined,
      {
        authorizer: this.authorizer,
        coalescer: this.coalescer,
        retry: this.options.sseRetry,
        maxPendingBytes: this.options.sseMaxPendingBytes,
        logger: this.logger,
        stats: this.stats,
        gzip: this.options.sseCompression && acceptsGzip(request),
      },
      (ended) => {
        this.connections.delete(ended);
        this.slots.release();
      },
    );
    this.connections.add(connection);
    this.heartbeat ??= startHeartbeatTimer(this.connections, this.options.sseHeartbeatInterval);
    connection.open(this.readers, streams, lastEventId);
    const socket = connection.releasedSocket;
    if (socket) this.pipelined.watch(socket);
  }

  /** Ends every open response before the HTTP server closes: `server.close()` waits for open responses. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.pipelined.stop();
    await Promise.all([...this.connections].map((connection) => connection.endAndFlush(SHUTDOWN_FINISH_WAIT)));
  }
}
