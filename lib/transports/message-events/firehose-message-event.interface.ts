import type { MessageEvent } from '@nestjs/common';
import type { SseEventData, SseResetData } from '../../protocol/sse-data.js';

/**
 * An event of `FirehoseService.messageEvents()`, for an app's own `@Sse()` route: Nest writes it
 * as the built-in SSE route writes the same event (`id:` the event id, `event:` the stream, `data:`
 * the Firehose protocol's SSE payload), so the browser client and `Last-Event-ID` work the same.
 */
export interface FirehoseMessageEvent<T = unknown> extends MessageEvent {
  /** The event's id: the browser sends it back as `Last-Event-ID` when it reconnects. */
  id: string;
  /** The stream's name, or `firehose:reset` for a reset. */
  type: string;
  /** `{ data, channel_id, sequence }` for an event; `{ stream, last_event_id, reason }` for a reset. */
  data: SseEventData<T> | SseResetData;
}
