import { SseChunk } from '../transports/sse/sse-chunk.js';
import { HEARTBEAT_FRAME } from '../transports/sse/sse-frame-bytes.js';

/**
 * `event: message\ndata: <json>\n\n`: one topic message. No `id:` field: a topic keeps nothing
 * to resume from, so a reconnecting EventSource must not pretend it could. The data is compact
 * JSON, which holds no line break, so it is one `data:` line.
 */
export function topicMessageFrame(data: string): string {
  return `event: message\ndata: ${data}\n\n`;
}

/** The heartbeat comment as a chunk, shared by every subscriber and tick. */
export const TOPIC_HEARTBEAT_CHUNK = new SseChunk(HEARTBEAT_FRAME);
