import type { FirehoseEvent, FirehoseReset } from './firehose-event.js';
import type { WsErrorCode } from './ws-server-frame.js';

/**
 * Encoders of the server's WebSocket frames (ws-server-frame.ts), as JSON text. Keys are written
 * in the protocol's order, so a frame is byte-for-byte what existing clients expect.
 */

/** `{"id":456,"stream":"a","data":…,"sequence":7,"channel_id":3}`, the event frame. */
export function serializeEventFrame(event: FirehoseEvent): string {
  return JSON.stringify({ id: event.id, stream: event.stream, data: event.data, sequence: event.sequence, channel_id: event.streamId });
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
