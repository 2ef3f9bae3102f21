import { isValidTopicId } from '../protocol/topic-name.js';

/**
 * The NOTIFY payload of one topic message, and its reading back: the only place that knows the
 * format, so signing the payload (or any other change of encoding) happens here and nowhere else.
 *
 * Format: `<n> <topic>\n<data>`. `n` is the sending process's message counter in base 36:
 * PostgreSQL delivers identical payloads sent on one channel in one transaction only once, and a
 * shard sends a batch of messages in one statement, so two equal messages need different
 * payloads. `topic` is a valid topic id (no space, no line break) and `data` the message's compact
 * JSON. Kept as text rather than a JSON envelope so a receiving process passes `data` on to its
 * subscribers without parsing and re-serializing it.
 *
 * Any role that can connect to the database can NOTIFY any channel, so `decode` checks what it
 * reads: a payload that is not in this shape is refused, and data holding a line break (which
 * compact JSON never does) could end an SSE field early, so it is refused too.
 */

/** One topic message as it travels: its topic and its data as compact JSON text. */
export interface TopicMessage {
  topic: string;
  data: string;
}

/** The payload that carries `message`; `counter` makes it unique within its sender's batch. */
export function encodeTopicNotification(message: TopicMessage, counter: number): string {
  return `${counter.toString(36)} ${message.topic}\n${message.data}`;
}

/** The message `payload` carries, or undefined when it is not one this module sent. */
export function decodeTopicNotification(payload: string): TopicMessage | undefined {
  const space = payload.indexOf(' ');
  const newline = payload.indexOf('\n', space + 1);
  if (space < 1 || newline < 0) return undefined;
  const topic = payload.slice(space + 1, newline);
  const data = payload.slice(newline + 1);
  if (!isValidTopicId(topic) || data === '' || data.includes('\n') || data.includes('\r')) return undefined;
  return { topic, data };
}
