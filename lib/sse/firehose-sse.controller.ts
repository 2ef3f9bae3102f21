import {
  ForbiddenException,
  Inject,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type MessageEvent,
} from '@nestjs/common';
import { once, type EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { concatMap, map, Observable, type Subscriber } from 'rxjs';
import { AUTHORIZED_STREAMS, FIREHOSE_AUTHORIZER, FIREHOSE_RESOLVED_OPTIONS } from '../firehose.constants.js';
import type { ResolvedFirehoseOptions } from '../firehose-options.js';
import { FirehoseService } from '../firehose.service.js';
import type { FirehoseAuthorizer, FirehoseConnectionContext } from '../interfaces/firehose-authorizer.interface.js';
import { isFirehoseReset, type FirehoseStreamItem } from '../interfaces/firehose-event.interface.js';
import { eventData, eventMessage, HEARTBEAT_MESSAGE, openingMessage, resetMessage } from './sse-frames.js';
import { parseLastEventId } from './sse-request.js';

/** Longest wait, per shutdown, for ended responses to flush (Express exposes them as `request.res`). */
const SHUTDOWN_FINISH_WAIT = 1000;

type FirehoseRequest = IncomingMessage & Record<PropertyKey, any>;

/**
 * `GET {path}/sse?streams=a,b`: the Firehose protocol over Server-Sent Events. This base class has
 * no route decorators: the path comes from the module's extras, so each registration gets its own
 * decorated subclass (createFirehoseSseController). FirehoseStreamsGuard has already validated and
 * authorized the streams when `events` runs.
 */
export class FirehoseSseController implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Firehose');
  /** Open connections and their requests, to end them at shutdown. */
  private readonly open = new Map<Subscriber<MessageEvent>, FirehoseRequest>();

  constructor(
    private readonly firehose: FirehoseService,
    @Inject(FIREHOSE_RESOLVED_OPTIONS) private readonly options: ResolvedFirehoseOptions,
    @Optional() @Inject(FIREHOSE_AUTHORIZER) private readonly authorizer?: FirehoseAuthorizer,
  ) {}

  events(request: FirehoseRequest): Observable<MessageEvent> {
    const streams: string[] | undefined = request[AUTHORIZED_STREAMS];
    if (!streams) {
      // Only reachable if the route lost its FirehoseStreamsGuard: refuse rather than serve unchecked.
      throw new ForbiddenException('The Firehose SSE route ran without FirehoseStreamsGuard; register it through FirehoseModule.');
    }
    const lastEventId = parseLastEventId(request);
    const context: FirehoseConnectionContext = { transport: 'sse', request };
    const items = this.firehose.stream(streams, { lastEventId });

    return new Observable<MessageEvent>((subscriber) => {
      // The id of the newest frame this client holds: what it would send back as Last-Event-ID.
      let cursor = lastEventId;
      const toMessage = (item: FirehoseStreamItem, data?: string): MessageEvent => {
        if (isFirehoseReset(item)) {
          if (item.reason === 'cursor-ahead') cursor = item.lastEventId;
          return resetMessage(item, cursor);
        }
        cursor = item.id;
        return eventMessage(item, data);
      };
      const buildEvent = this.authorizer?.buildEvent?.bind(this.authorizer);
      const messages = buildEvent
        ? items.pipe(
            concatMap(async (item) => {
              if (isFirehoseReset(item)) return toMessage(item);
              const built = await buildEvent(item, context);
              // The id and stream stay the stored event's: they are the client's cursor and event type.
              return built && toMessage(item, eventData(built));
            }),
          )
        : items.pipe(map((item) => toMessage(item)));

      subscriber.next(openingMessage(this.options.sseRetry, cursor));
      const heartbeat = setInterval(() => subscriber.next(HEARTBEAT_MESSAGE), this.options.sseHeartbeatInterval);
      this.open.set(subscriber, request);
      const subscription = messages.subscribe({
        next: (message) => message && subscriber.next(message),
        // Once the headers are out Nest can only send an `error` event with an id it makes up;
        // ending the response instead lets the client resume from its real last id.
        error: (error) => {
          this.logger.error(`SSE stream of ${streams.join(', ')} failed; the response is ended so the client resumes: ${String(error)}`);
          subscriber.complete();
        },
        complete: () => subscriber.complete(),
      });
      return () => {
        clearInterval(heartbeat);
        this.open.delete(subscriber);
        subscription.unsubscribe();
      };
    });
  }

  /**
   * Ends every open response before the HTTP server closes: `server.close()` waits for open
   * responses, and the hub only completes its streams later, at onApplicationShutdown. It waits
   * for the responses to finish, since the server only closes a keep-alive connection at once if
   * it is idle by then (else it waits for the keep-alive timeout).
   */
  async beforeApplicationShutdown(): Promise<void> {
    const finished: Promise<unknown>[] = [];
    for (const [subscriber, request] of [...this.open]) {
      const response: (ServerResponse & EventEmitter) | undefined = request.res;
      if (response && !response.writableFinished) {
        finished.push(Promise.race([once(response, 'close'), once(response, 'finish'), sleep(SHUTDOWN_FINISH_WAIT, undefined, { ref: false })]));
      }
      subscriber.complete();
    }
    await Promise.all(finished);
  }
}
