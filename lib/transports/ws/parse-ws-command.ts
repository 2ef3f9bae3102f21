import { describeValue } from '../../errors/describe-value.js';
import { FirehoseInvalidStreamNameError } from '../../errors/invalid-stream-name.error.js';
import { CURSOR_EXPECTED, parseCursor } from '../../protocol/cursor.js';
import { normalizeStreamNames } from '../../publish/stream-name.js';
import { WsProtocolError } from './ws-protocol-error.js';

/** A subscribe frame (protocol/ws-client-frame.ts) once checked, its cursor as `lastEventId`. */
export interface WsSubscribeCommand {
  command: 'subscribe';
  streams: string[];
  lastEventId?: number;
}

export interface WsUnsubscribeCommand {
  command: 'unsubscribe';
  streams: string[];
}

export type WsCommand = WsSubscribeCommand | WsUnsubscribeCommand;

const EXAMPLE = 'send {"command":"subscribe","streams":["a"],"last_event_id":123} or {"command":"unsubscribe","streams":["a"]}';

/**
 * Parses and validates one client frame. Stream names are checked here, before the authorizer
 * sees them; the per-connection stream cap is the connection's business, since it counts the
 * streams already subscribed.
 */
export function parseWsCommand(text: string): WsCommand {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    throw new WsProtocolError('invalid-json', `The frame is not JSON; ${EXAMPLE}.`);
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    throw new WsProtocolError('invalid-json', `The frame is not a JSON object; ${EXAMPLE}.`);
  }
  const { command, streams, last_event_id: lastEventId } = frame as Record<string, unknown>;
  if (command !== 'subscribe' && command !== 'unsubscribe') {
    // Nest's own WebSocket format is the likeliest mistake: say so rather than name `undefined`.
    if (command === undefined && 'event' in (frame as object)) {
      throw new WsProtocolError('unknown-command', `Nest's {"event":…} frames are not Firehose commands; ${EXAMPLE}.`);
    }
    throw new WsProtocolError('unknown-command', `Unknown command ${describeValue(command, 60)}; ${EXAMPLE}.`);
  }
  if (!Array.isArray(streams) || streams.length === 0) {
    throw new WsProtocolError('invalid-command', `"${command}" needs "streams", a non-empty array of stream names.`);
  }
  let names: string[];
  try {
    names = normalizeStreamNames(streams);
  } catch (error) {
    if (error instanceof FirehoseInvalidStreamNameError) throw new WsProtocolError('invalid-stream', error.message);
    throw error;
  }
  if (command === 'unsubscribe') return { command, streams: names };
  return { command, streams: names, lastEventId: parseLastEventId(lastEventId) };
}

/** `last_event_id` as a number, or a string of digits (what a client read from a frame as text). */
function parseLastEventId(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const cursor = parseCursor(value);
  if (cursor === undefined) {
    throw new WsProtocolError(
      'invalid-command',
      `Invalid last_event_id ${describeLastEventId(value)}: ${CURSOR_EXPECTED}, or no last_event_id.`,
    );
  }
  return cursor;
}

/** The cursor as the client wrote it (JSON), cut short; never throws on a hostile value. */
function describeLastEventId(value: unknown): string {
  try {
    return JSON.stringify(value).slice(0, 40);
  } catch {
    return describeValue(value, 40);
  }
}
