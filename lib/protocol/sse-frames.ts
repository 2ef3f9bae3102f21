import type { FirehoseEvent, FirehoseReset } from './firehose-event.js';

/** SSE event type of a reset, chosen so it cannot clash with a stream name a page listens to by mistake. */
export const SSE_RESET_EVENT = 'firehose:reset';

/** Clients ignore comments; proxies see traffic and keep the connection open. */
export const HEARTBEAT_FRAME_TEXT = ': heartbeat\n\n';

/** `{"data":…,"channel_id":…,"sequence":…}`, the Firehose protocol's SSE payload, keys in its order. */
export function eventData(event: FirehoseEvent): string {
  return JSON.stringify({ data: event.data, channel_id: event.streamId, sequence: event.sequence });
}

/**
 * `id: 456\nevent: a\ndata: {…}\n\n`, the protocol's event frame. Stream names hold no line breaks
 * (they are validated) and JSON text holds none either, so neither can end a field early.
 */
export function eventFrame(event: FirehoseEvent, data: string = eventData(event)): string {
  return `id: ${event.id}\nevent: ${event.stream}\ndata: ${data}\n\n`;
}

/**
 * A `firehose:reset` event. Its `id` is the connection's cursor, not the reset's, and is left out
 * when the connection has none: an `id:` field moves the browser's resume point, and the reset of
 * one stream must not move it past events of the others not yet sent.
 */
export function resetFrame(reset: FirehoseReset, cursor: number | undefined): string {
  const data = JSON.stringify({ stream: reset.stream, last_event_id: reset.lastEventId, reason: reset.reason });
  return `${cursor === undefined ? '' : `id: ${cursor}\n`}event: ${SSE_RESET_EVENT}\ndata: ${data}\n\n`;
}

/** The first frame: the `retry:` hint, sent at once rather than with the first event, which may be long in coming. */
export function openingFrame(retry: number): string {
  return `retry: ${retry}\n\n`;
}
