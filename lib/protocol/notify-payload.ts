import type { FirehoseEvent } from './firehose-event.js';

/**
 * The payloads the module sends with NOTIFY, which every process's LISTEN connection parses.
 *
 * Event channel: a JSON array of events in id order, written by the `firehose_append` SQL function
 * (migrations/core): `[{"id":1,"stream":"a","sequence":1,"channel_id":3,"data":…}, …]`. An event too
 * large to travel inline has `"ref":1` instead of `data` and is fetched from the table.
 *
 * Queue channel: `{"q":"name","m":…}`, one message of an ephemeral queue.
 *
 * Anyone who can connect to the database can NOTIFY: every field is checked, never trusted.
 */

/** An event notified by reference: everything but its data, which the table holds. */
export type EventReference = Omit<FirehoseEvent, 'data'>;

/** Receives what an event notification holds, in its order. */
export interface EventNotificationReader {
  notifiedEvent(event: FirehoseEvent): void;
  notifiedReference(event: EventReference): void;
  /** A payload, or an item of it, that is not what the module sends; `what` says which and why. */
  ignoredNotification(what: string, payload: string): void;
}

/** Parses one notification of the event channel into `reader`; O(n) in its events. */
export function readEventNotification(payload: string, reader: EventNotificationReader): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    reader.ignoredNotification('a notification that is not JSON', payload);
    return;
  }
  if (!Array.isArray(parsed)) {
    reader.ignoredNotification('a notification that is not an array of events', payload);
    return;
  }
  for (const item of parsed as Array<Record<string, unknown>>) {
    const { id, stream, sequence, channel_id: streamId } = item ?? {};
    if (typeof id !== 'number' || typeof stream !== 'string' || typeof sequence !== 'number' || typeof streamId !== 'number') {
      reader.ignoredNotification('a notified event without id, stream, sequence and channel_id', payload);
      continue;
    }
    if ('data' in item) reader.notifiedEvent({ id, stream, data: item.data, sequence, streamId });
    else reader.notifiedReference({ id, stream, sequence, streamId });
  }
}

/** The payload of one queue message; `messageJson` is the message as JSON text. */
export function queueNotification(queue: string, messageJson: string): string {
  return `{"q":${JSON.stringify(queue)},"m":${messageJson}}`;
}

/** A queue notification's queue and message; undefined when the payload is not one. */
export function parseQueueNotification(payload: string): { queue: string; message: unknown } | undefined {
  let parsed: { q?: unknown; m?: unknown } | null;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof parsed?.q !== 'string') return undefined;
  return { queue: parsed.q, message: parsed.m };
}
