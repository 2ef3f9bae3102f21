import { isValidTopicId } from '../protocol/topic-name.js';

/**
 * The NOTIFY payload of one topic message, and its reading back: the only place that knows the
 * format. The listener checks each payload's signature (lib/listener/notify-signature.ts) and
 * strips it before `decode` sees the rest.
 *
 * Format: `<sender> <n> <sentAt> <topic>\n<data>`. `sender` is a random id of the sending process
 * and `n` its message counter, both base 36: PostgreSQL delivers identical payloads sent on one
 * channel in one transaction only once, and a shard sends a batch of messages in one statement,
 * so two equal messages need different payloads. Any role that can LISTEN can copy a signed
 * payload and NOTIFY it again unchanged, so receivers refuse a `(sender, n)` they have seen, and a
 * `sentAt` (ms, base 36) far from their own clock. `topic` is a valid topic id (no space, no line
 * break) and `data` the message's compact JSON, kept as text so a receiving process passes it on
 * without parsing and re-serializing it. Data holding a line break (which compact JSON never
 * does) could end an SSE field early, so it is refused.
 */

/** One topic message as it travels: its topic and its data as compact JSON text. */
export interface TopicMessage {
  topic: string;
  data: string;
}

/** Who sent a topic message, as its receivers check it against copies sent again. */
export interface TopicMessageOrigin {
  sender: string;
  seq: number;
  sentAt: number;
}

/** Bytes the header (`<sender> <n> <sentAt> `) and the line break may take: 8 + 8 + 9 characters and 4 separators. */
export const TOPIC_NOTIFICATION_OVERHEAD = 29;

export function encodeTopicNotification(message: TopicMessage, origin: TopicMessageOrigin): string {
  return `${origin.sender} ${origin.seq.toString(36)} ${origin.sentAt.toString(36)} ${message.topic}\n${message.data}`;
}

/** The message `payload` carries and its origin, or undefined when it is not one this module sent. */
export function decodeTopicNotification(payload: string): (TopicMessage & TopicMessageOrigin) | undefined {
  const newline = payload.indexOf('\n');
  if (newline < 0) return undefined;
  const header = payload.slice(0, newline).split(' ');
  if (header.length !== 4) return undefined;
  const [sender, seqText, sentAtText, topic] = header;
  const seq = Number.parseInt(seqText, 36);
  const sentAt = Number.parseInt(sentAtText, 36);
  const data = payload.slice(newline + 1);
  if (sender === '' || !(seq > 0) || !(sentAt > 0) || !isValidTopicId(topic)) return undefined;
  if (data === '' || data.includes('\n') || data.includes('\r')) return undefined;
  return { sender, seq, sentAt, topic, data };
}
