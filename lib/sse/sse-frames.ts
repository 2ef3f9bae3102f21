import type { MessageEvent } from '@nestjs/common';
import type { FirehoseEvent, FirehoseReset } from '../interfaces/firehose-event.interface.js';

/** SSE event type of a reset, chosen so it cannot clash with a stream name a page listens to by mistake. */
export const SSE_RESET_EVENT = 'firehose:reset';

/**
 * Events from the hub are one object shared by every subscriber in the process, so the data line
 * is built once per event and the same string goes to every connection. Weak keys: an event's
 * text lives exactly as long as some connection still holds the event.
 */
const dataLines = new WeakMap<FirehoseEvent, string>();

/** `data: {"data":…,"channel_id":…,"sequence":…}`, the Firehose protocol's SSE payload, keys in its order. */
export function eventData(event: FirehoseEvent): string {
  let data = dataLines.get(event);
  if (data === undefined) {
    data = JSON.stringify({ data: event.data, channel_id: event.channelId, sequence: event.sequence });
    dataLines.set(event, data);
  }
  return data;
}

export function eventMessage(event: FirehoseEvent, data: string = eventData(event)): MessageEvent {
  return { id: String(event.id), type: event.stream, data };
}

/**
 * `id` is the connection's cursor, not the reset's: Nest numbers any frame without an id, and the
 * reset of one stream must not move the resume point of the others past events not yet sent.
 */
export function resetMessage(reset: FirehoseReset, cursor: number | undefined): MessageEvent {
  return {
    id: cursor === undefined ? '' : String(cursor),
    type: SSE_RESET_EVENT,
    data: JSON.stringify({ stream: reset.stream, last_event_id: reset.lastEventId, reason: reset.reason }),
  };
}

/**
 * The first frame: the `retry:` hint, sent at once rather than with the first event, which may be
 * long in coming. It repeats the client's own cursor as its id, since Nest would otherwise number
 * it and the browser would resume from that made-up id.
 */
export function openingMessage(retry: number, cursor: number | undefined): MessageEvent {
  return { id: cursor === undefined ? '' : String(cursor), retry };
}

export const HEARTBEAT_MESSAGE: MessageEvent = { comment: 'heartbeat' };
