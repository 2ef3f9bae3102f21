import type { WsResetReason } from './ws-server-frame.js';

/** `data:` of the SSE `firehose:reset` event, the same fields as the WebSocket reset frame. */
export interface SseResetData {
  stream: string;
  last_event_id: number;
  reason: WsResetReason;
}

/** `data:` of an SSE event frame (the stream is its `event:`, the id its `id:`). */
export interface SseEventData<T = unknown> {
  data: T;
  channel_id: number;
  sequence: number;
}
