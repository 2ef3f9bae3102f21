import type { FirehoseEvent, FirehoseReset } from '../interfaces/firehose-event.interface.js';
import { sharedPerEvent } from '../delivery/shared-per-event.js';
import type { WsErrorCode } from './ws-protocol.js';

/** `{"id":456,"stream":"a","data":…,"sequence":7,"channel_id":3}`, the seed's event frame, keys in its order. */
export function serializeEventFrame(event: FirehoseEvent): string {
  return JSON.stringify({ id: event.id, stream: event.stream, data: event.data, sequence: event.sequence, channel_id: event.streamId });
}

/** A hub event's frame as the UTF-8 bytes shared by every connection (`ws` would encode a string per connection). */
export const sharedEventFrame = sharedPerEvent((event) => Buffer.from(serializeEventFrame(event)));

export function subscribedFrame(streams: string[]): string {
  return JSON.stringify({ type: 'subscribed', streams });
}

export function unsubscribedFrame(streams: string[]): string {
  return JSON.stringify({ type: 'unsubscribed', streams });
}

export function errorFrame(code: WsErrorCode, message: string, streams?: string[]): string {
  return JSON.stringify(streams ? { type: 'error', code, message, streams } : { type: 'error', code, message });
}

export function resetFrame(reset: FirehoseReset): string {
  return JSON.stringify({ type: 'reset', stream: reset.stream, last_event_id: reset.lastEventId, reason: reset.reason });
}
