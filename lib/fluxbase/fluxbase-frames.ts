import type { FirehoseEvent, FirehoseReset } from '../protocol/firehose-event.js';

/** Encoders of the server's frames (fluxbase-protocol.ts), as JSON text, keys in Fluxbase's order. */

export function broadcastFrame(event: FirehoseEvent): string {
  return JSON.stringify({ type: 'broadcast', channel: event.stream, payload: event.data, id: event.id });
}

export function ackFrame(channel: string): string {
  return JSON.stringify({ type: 'ack', channel });
}

export function unsubscribedFrame(channel: string): string {
  return JSON.stringify({ type: 'ack', channel, unsubscribed: true });
}

export const HEARTBEAT_FRAME = '{"type":"heartbeat"}';

export function errorFrame(error: string, channel?: string): string {
  return JSON.stringify(channel === undefined ? { type: 'error', error } : { type: 'error', error, channel });
}

export function resetFrame(reset: FirehoseReset): string {
  return JSON.stringify({ type: 'reset', channel: reset.stream, last_event_id: reset.lastEventId, reason: reset.reason });
}
