import {
  BadRequestException,
  type BeforeApplicationShutdown,
  Inject,
  MethodNotAllowedException,
  Optional,
  PayloadTooLargeException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FirehosePayloadTooLargeError } from '../../errors/payload-too-large.error.js';
import { FirehoseUnserializableDataError } from '../../errors/unserializable-data.error.js';
import { FIREHOSE_RESOLVED_OPTIONS } from '../../firehose.constants.js';
import type { ResolvedFirehoseOptions } from '../../firehose-options.js';
import { ConnectionSlots } from '../../transports/connection/connection-slots.js';
import { startHeartbeatTimer } from '../../transports/connection/heartbeat-timer.js';
import { PipelinedRequestRefusal } from '../../transports/sse/pipelined-request-refusal.js';
import { refuseForCapacity } from '../../transports/sse/sse-capacity-refusal.js';
import { acceptsGzip } from '../../transports/sse/sse-gzip.js';
import { TopicInvalidIdError } from '../errors/topic-invalid-id.error.js';
import type { ResolvedTopicsOptions } from '../firehose-topics-options.js';
import { TopicHub } from '../topic-hub.js';
import { TopicPublisher } from '../topic-publisher.js';
import { TopicSubscriber } from '../topic-subscriber.js';
import { FIREHOSE_TOPICS_OPTIONS } from '../topics.constants.js';

/** Longest wait, per shutdown, for ended responses to flush. */
const SHUTDOWN_FINISH_WAIT = 1000;

/** What `POST {path}/{topic}/events` answers: the topic and the data as published. */
export interface TopicPublishAnswer {
  topic: string;
  data: unknown;
}

/**
 * `POST {path}/{topic}/events` publishes `{"data": …}`; `GET {path}/{topic}/events` subscribes
 * over SSE. This base class has no route decorators: the path comes from the module's options, so
 * each registration gets its own decorated subclass (createFirehoseTopicsController), which runs
 * the app's guards and then TopicAccessGuard before these methods.
 */
export class FirehoseTopicsController implements BeforeApplicationShutdown {
  private readonly subscribers = new Set<TopicSubscriber>();
  private heartbeat?: NodeJS.Timeout;
  private readonly pipelined: PipelinedRequestRefusal;

  constructor(
    private readonly hub: TopicHub,
    private readonly publisher: TopicPublisher,
    private readonly slots: ConnectionSlots,
    @Inject(FIREHOSE_TOPICS_OPTIONS) private readonly options: ResolvedTopicsOptions,
    @Inject(FIREHOSE_RESOLVED_OPTIONS) private readonly firehose: ResolvedFirehoseOptions,
    @Optional() adapterHost?: HttpAdapterHost,
  ) {
    this.pipelined = new PipelinedRequestRefusal(adapterHost);
  }

  async publish(topic: string, body: unknown): Promise<TopicPublishAnswer> {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !('data' in body)) {
      throw new BadRequestException('Send a JSON object {"data": …} with Content-Type: application/json.');
    }
    const { data } = body as { data: unknown };
    try {
      await this.publisher.publish(topic, data);
    } catch (error) {
      if (error instanceof FirehosePayloadTooLargeError) throw new PayloadTooLargeException(error.message);
      if (error instanceof TopicInvalidIdError || error instanceof FirehoseUnserializableDataError) {
        throw new BadRequestException(error.message);
      }
      throw error;
    }
    return { topic, data };
  }

  subscribe(topic: string, request: IncomingMessage, response: ServerResponse): void {
    // Express routes HEAD to GET handlers; a stream has no headers-only form.
    if (request.method === 'HEAD') {
      response.setHeader('Allow', 'GET, POST');
      throw new MethodNotAllowedException('A topic stream answers GET only.');
    }
    if (!this.slots.take()) refuseForCapacity(response, this.slots.refusal);
    const subscriber = new TopicSubscriber(
      response,
      topic,
      { retry: this.firehose.sseRetry, gzip: this.options.sseCompression && acceptsGzip(request) },
      (ended) => {
        this.subscribers.delete(ended);
        this.hub.unsubscribe(ended);
        this.slots.release();
      },
    );
    this.subscribers.add(subscriber);
    this.heartbeat ??= startHeartbeatTimer(this.subscribers, this.options.heartbeatInterval);
    subscriber.open();
    if (subscriber.isEnded) return;
    this.hub.subscribe(subscriber);
    const socket = subscriber.releasedSocket;
    if (socket) this.pipelined.watch(socket);
  }

  /** Ends every open stream before the HTTP server closes: `server.close()` waits for open responses. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.pipelined.stop();
    await Promise.all([...this.subscribers].map((subscriber) => subscriber.endAndFlush(SHUTDOWN_FINISH_WAIT)));
  }
}
