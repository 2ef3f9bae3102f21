import type { FirehoseEvent, FirehoseReset } from '../interfaces/firehose-event.interface.js';
import type { WsErrorCode } from './ws-protocol.js';

/**
 * Events from the hub are one object shared by every subscriber in the process, so each frame is
 * serialized once and the same string goes to every connection. Weak keys: a frame's text lives
 * exactly as long as some connection still holds the event.
 */
const eventFrames = new WeakMap<FirehoseEvent, Buffer>();

/** `{"id":456,"stream":"a","data":…,"sequence":7,"channel_id":3}`, the seed's event frame, keys in its order. */
export function serializeEventFrame(event: FirehoseEvent): string {
  return JSON.stringify({ id: event.id, stream: event.stream, data: event.data, sequence: event.sequence, channel_id: event.channelId });
}

/**
 * The shared frame of a hub event (see `eventFrames`), as UTF-8 bytes: `ws` would otherwise encode
 * the same string again for every connection.
 */
export function sharedEventFrame(event: FirehoseEvent): Buffer {
  let frame = eventFrames.get(event);
  if (frame === undefined) {
    frame = Buffer.from(serializeEventFrame(event));
    eventFrames.set(event, frame);
  }
  return frame;
}

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
