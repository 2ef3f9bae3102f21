import { validateSync, type ValidatorOptions } from 'class-validator';
import { describeValue } from '../../errors/describe-value.js';
import { CURSOR_EXPECTED, parseCursor } from '../../protocol/cursor.js';
import { streamNameMessage } from '../schema/stream-name.constraint.js';
import { FirehoseWsSubscribeDto, FirehoseWsUnsubscribeDto } from '../schema/ws-command.dto.js';
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

// Every rule of a field is checked: a wrong `streams` is a malformed command, not a bad name, even
// when the name rule fails too (a number is neither an array nor a name).
const VALIDATION: ValidatorOptions = { forbidUnknownValues: true };

const EXAMPLE = 'send {"command":"subscribe","streams":["a"],"last_event_id":123} or {"command":"unsubscribe","streams":["a"]}';

/**
 * Parses and validates one client frame against its command's DTO (schema/ws-command.dto.ts),
 * with the protocol's own error codes and messages. Stream names are checked here, before the authorizer
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
  const dto = toDto(command, frame as Record<string, unknown>);
  const errors = validateSync(dto, VALIDATION);
  const streamsFailure = errors.find((error) => error.property === 'streams')?.constraints;
  if (streamsFailure) {
    if (streamsFailure.isArray || streamsFailure.arrayNotEmpty) {
      throw new WsProtocolError('invalid-command', `"${command}" needs "streams", a non-empty array of stream names.`);
    }
    throw new WsProtocolError('invalid-stream', streamNameMessage(streams));
  }
  if (errors.length > 0) {
    throw new WsProtocolError(
      'invalid-command',
      `Invalid last_event_id ${describeLastEventId(lastEventId)}: ${CURSOR_EXPECTED}, or no last_event_id.`,
    );
  }
  const names = [...new Set(dto.streams)];
  if (dto.command === 'unsubscribe') return { command: dto.command, streams: names };
  return { command: dto.command, streams: names, lastEventId: parseCursor(dto.last_event_id) };
}

/**
 * The frame as its command's DTO, the schema the package exports. Copied field by field, never
 * with Object.assign: a `"__proto__"` key of the JSON would become the instance's prototype.
 */
function toDto(command: 'subscribe' | 'unsubscribe', frame: Record<string, unknown>): FirehoseWsSubscribeDto | FirehoseWsUnsubscribeDto {
  if (command === 'unsubscribe') {
    const dto = new FirehoseWsUnsubscribeDto();
    dto.command = command;
    dto.streams = frame.streams as string[];
    return dto;
  }
  const dto = new FirehoseWsSubscribeDto();
  dto.command = command;
  dto.streams = frame.streams as string[];
  dto.last_event_id = frame.last_event_id as number | undefined;
  return dto;
}

/** The cursor as the client wrote it (JSON), cut short; never throws on a hostile value. */
function describeLastEventId(value: unknown): string {
  try {
    return JSON.stringify(value).slice(0, 40);
  } catch {
    return describeValue(value, 40);
  }
}
