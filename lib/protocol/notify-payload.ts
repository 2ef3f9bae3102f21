import type { FirehoseEvent } from './firehose-event.js';

/**
 * The payloads the module sends with NOTIFY, which every process's LISTEN connection parses.
 *
 * Event channel: a JSON array of events in id order, written by the `firehose_append` SQL function
 * (migrations/core): `[{"id":1,"stream":"a","sequence":1,"channel_id":3,"data":…}, …]`. An event too
 * large to travel inline has `"ref":1` instead of `data` and is fetched from the table.
 *
 * Queue channel: `{"q":"name","s":"sender","n":1,"t":1700000000000,"m":…}`, one message of an
 * ephemeral queue: its sender (a random id per process), that sender's message number and send time
 * (which let receivers refuse a message sent again), and the message.
 *
 * Every payload on either channel is signed: {@link NOTIFY_SIGNATURE_CHARS} characters of HMAC come
 * first (lib/listener/notify-signature.ts), and the listener passes on only what they vouch for.
 * Anyone who can connect to the database can NOTIFY, and LISTEN to copy a real payload.
 */

/** Length of the signature in front of every signed payload: 16 bytes of HMAC-SHA256 in unpadded base64. */
export const NOTIFY_SIGNATURE_CHARS = 22;

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

/** One queue message as it travels: which queue, who sent it, its number and send time, the message. */
export interface QueueNotification {
  queue: string;
  sender: string;
  seq: number;
  sentAt: number;
  message: unknown;
}

/** The payload of one queue message; `messageJson` is the message as JSON text. */
export function queueNotification(queue: string, sender: string, seq: number, sentAt: number, messageJson: string): string {
  return `{"q":${JSON.stringify(queue)},"s":${JSON.stringify(sender)},"n":${seq},"t":${sentAt},"m":${messageJson}}`;
}

/** A queue notification's fields; undefined when the payload is not one. */
export function parseQueueNotification(payload: string): QueueNotification | undefined {
  let parsed: { q?: unknown; s?: unknown; n?: unknown; t?: unknown; m?: unknown } | null;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const { q, s, n, t } = parsed ?? {};
  if (typeof q !== 'string' || typeof s !== 'string' || !Number.isSafeInteger(n) || !Number.isSafeInteger(t)) return undefined;
  return { queue: q, sender: s, seq: n as number, sentAt: t as number, message: parsed!.m };
}
