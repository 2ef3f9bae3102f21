/**
 * The topic-id rule of ephemeral topics, one implementation for the server (which answers 400)
 * and the browser client (which refuses before opening a request). A topic id is one URL path
 * segment (`{base}/{id}/events`) and travels inside a NOTIFY payload, so the rule is narrow:
 * ASCII letters, digits and `_ . : -`, not starting with a dot (no `.` or `..` segment), at most
 * 64 characters, which keeps a full-size message and its id inside one NOTIFY.
 */

/** Longest topic id, in characters (ASCII only, so also bytes). */
export const MAX_TOPIC_ID_LENGTH = 64;

const TOPIC_ID = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/;

/** What a topic id may be, for messages. */
export const TOPIC_ID_RULE = `1 to ${MAX_TOPIC_ID_LENGTH} ASCII letters, digits, "_", ".", ":" or "-", not starting with ".", ":" or "-"`;

export function isValidTopicId(topic: unknown): topic is string {
  return typeof topic === 'string' && TOPIC_ID.test(topic);
}
