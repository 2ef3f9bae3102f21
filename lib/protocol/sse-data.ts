import type { WsResetReason } from './ws-server-frame.js';

/** `data:` of the SSE `firehose:reset` event, the same fields as the WebSocket reset frame. */
export interface SseResetData {
  /** The stream whose replay could not be complete. */
  stream: string;
  /** Delivery of the stream goes on after this id. */
  last_event_id: number;
  /** Why the replay could not be complete. */
  reason: WsResetReason;
}

/** `data:` of an SSE event frame (the stream is its `event:`, the id its `id:`). */
export interface SseEventData<T = unknown> {
  /** The broadcast's data. */
  data: T;
  /** Id of the stream's row (`streamId` in the TypeScript API). */
  channel_id: number;
  /** Position in its stream: 1, 2, 3… */
  sequence: number;
}
