import { BadRequestException } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { CURSOR_EXPECTED, parseCursor } from '../../protocol/cursor.js';
import { splitStreamList } from '../../protocol/stream-name.js';
import { FirehoseSseQueryDto } from '../schema/sse-query.dto.js';
import { streamNameMessage } from '../schema/stream-name.constraint.js';

// Each parser fills one field of the DTO: the other, left unset, is not checked.
const ONE_FIELD: ValidatorOptions = { skipUndefinedProperties: true, forbidUnknownValues: true };

function searchParams(request: IncomingMessage): URLSearchParams {
  // Read from the raw URL rather than `request.query`, whose shape depends on the HTTP adapter.
  return new URL(request.url ?? '/', 'http://localhost').searchParams;
}

/**
 * The streams of `?streams=a,b` (also `?streams=a&streams=b`), checked against the query's DTO
 * (schema/sse-query.dto.ts) and without duplicates.
 */
export function parseRequestedStreams(request: IncomingMessage, maxStreams: number): string[] {
  const query = new FirehoseSseQueryDto();
  query.streams = searchParams(request).getAll('streams').flatMap(splitStreamList);
  const failure = validateSync(query, ONE_FIELD).find((error) => error.property === 'streams')?.constraints;
  if (failure?.arrayNotEmpty) {
    throw new BadRequestException('Missing the streams query parameter: ask for streams with ?streams=a,b.');
  }
  if (failure) throw new BadRequestException(`${streamNameMessage(query.streams)} Ask for streams with ?streams=a,b.`);
  const streams = [...new Set(query.streams)];
  if (streams.length > maxStreams) {
    throw new BadRequestException(
      `Too many streams: ${streams.length} asked for, at most ${maxStreams} per connection. Open several connections or raise maxStreamsPerConnection.`,
    );
  }
  return streams;
}

/**
 * The client's resume cursor: the `Last-Event-ID` header (what EventSource sends on reconnect)
 * wins over the `last_event_id` query parameter (what a page passes on its first connection).
 */
export function parseLastEventId(request: IncomingMessage): number | undefined {
  const header = request.headers['last-event-id'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  // EventSource sends an empty Last-Event-ID after an `id:` line with no value: nothing to resume.
  if (fromHeader !== undefined && fromHeader.trim() !== '') return parseCursorOrRefuse(fromHeader.trim(), 'Last-Event-ID header');
  const fromQuery = searchParams(request).get('last_event_id');
  if (fromQuery === null || fromQuery === '') return undefined;
  const query = new FirehoseSseQueryDto();
  query.last_event_id = fromQuery;
  if (validateSync(query, ONE_FIELD).some((error) => error.property === 'last_event_id'))
    refuseCursor(fromQuery, 'last_event_id query parameter');
  return parseCursor(fromQuery);
}

function parseCursorOrRefuse(value: string, source: string): number {
  const cursor = parseCursor(value);
  if (cursor === undefined) refuseCursor(value, source);
  return cursor;
}

function refuseCursor(value: string, source: string): never {
  throw new BadRequestException(`Invalid ${source} ${JSON.stringify(value.slice(0, 40))}: ${CURSOR_EXPECTED}.`);
}
