import { describeValue } from '../errors/describe-value.js';
import { CURSOR_EXPECTED, parseCursor } from '../protocol/cursor.js';
import { streamNameProblem } from '../protocol/stream-name.js';
import { FLUXBASE_TABLE_CHANNEL_PREFIX } from './fluxbase.constants.js';
import { FluxbaseProtocolError } from './fluxbase-protocol.error.js';

/** A client message once checked. */
export type FluxbaseCommand =
  | { type: 'subscribe'; channel: string; lastEventId?: number }
  | { type: 'unsubscribe'; channel: string }
  | { type: 'heartbeat' };

const EXAMPLE = 'send {"type":"subscribe","channel":"table:public.products"} or {"type":"unsubscribe","channel":"table:public.products"}';
/** A table channel names one table: a schema without a dot, then the table (whose name may hold one). */
const TABLE_CHANNEL = /^table:[^.]+\..+$/;

/** Parses and validates one client message; a refusal says what was wrong and what to send. */
export function parseFluxbaseMessage(text: string): FluxbaseCommand {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new FluxbaseProtocolError(`The message is not JSON; ${EXAMPLE}.`);
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new FluxbaseProtocolError(`The message is not a JSON object; ${EXAMPLE}.`);
  }
  const { type, channel, last_event_id: lastEventId } = message as Record<string, unknown>;
  if (type === 'heartbeat') return { type };
  if (type !== 'subscribe' && type !== 'unsubscribe') {
    throw new FluxbaseProtocolError(
      `Unknown message type ${describeValue(type, 60)}: this endpoint takes "subscribe", "unsubscribe" and "heartbeat"; ${EXAMPLE}.`,
    );
  }
  if (channel === undefined || channel === null || channel === '') {
    throw new FluxbaseProtocolError(`"${type}" needs "channel", e.g. {"type":"${type}","channel":"table:public.products"}.`);
  }
  checkChannel(channel);
  if (type === 'unsubscribe') return { type, channel };
  return { type, channel, lastEventId: parseLastEventId(lastEventId, channel) };
}

function checkChannel(channel: unknown): asserts channel is string {
  const problem = streamNameProblem(channel);
  if (problem !== undefined) {
    // A refused name is not echoed as the frame's channel: it may be anything but a usable name.
    throw new FluxbaseProtocolError(`Invalid channel ${describeValue(channel, 60)}: ${problem}.`);
  }
  const name = channel as string;
  if (name.startsWith(FLUXBASE_TABLE_CHANNEL_PREFIX) && !TABLE_CHANNEL.test(name)) {
    throw new FluxbaseProtocolError(
      `Invalid channel ${describeValue(name, 60)}: a table channel is named table:<schema>.<table>, e.g. table:public.products.`,
      name,
    );
  }
}

/** `last_event_id` as a number, or a string of digits (an id kept as text). */
function parseLastEventId(value: unknown, channel: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const cursor = parseCursor(value);
  if (cursor === undefined) {
    let given: string;
    try {
      given = JSON.stringify(value).slice(0, 40);
    } catch {
      given = describeValue(value, 40);
    }
    throw new FluxbaseProtocolError(
      `Invalid last_event_id ${given}: ${CURSOR_EXPECTED} (a broadcast's "id"), or no last_event_id.`,
      channel,
    );
  }
  return cursor;
}
