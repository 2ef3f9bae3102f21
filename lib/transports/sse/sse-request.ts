import { BadRequestException } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { FirehoseInvalidStreamNameError } from '../../errors/invalid-stream-name.error.js';
import { CURSOR_EXPECTED, parseCursor } from '../../protocol/cursor.js';
import { splitStreamList } from '../../protocol/stream-name.js';
import { normalizeStreamNames } from '../../publish/stream-name.js';

function searchParams(request: IncomingMessage): URLSearchParams {
  // Read from the raw URL rather than `request.query`, whose shape depends on the HTTP adapter.
  return new URL(request.url ?? '/', 'http://localhost').searchParams;
}

/** The streams of `?streams=a,b` (also `?streams=a&streams=b`), validated and without duplicates. */
export function parseRequestedStreams(request: IncomingMessage, maxStreams: number): string[] {
  const values = searchParams(request).getAll('streams');
  if (values.length === 0) {
    throw new BadRequestException('Missing the streams query parameter: ask for streams with ?streams=a,b.');
  }
  let streams: string[];
  try {
    streams = normalizeStreamNames(values.flatMap(splitStreamList));
  } catch (error) {
    if (error instanceof FirehoseInvalidStreamNameError)
      throw new BadRequestException(`${error.message} Ask for streams with ?streams=a,b.`);
    throw error;
  }
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
  if (fromQuery !== null && fromQuery !== '') return parseCursorOrRefuse(fromQuery, 'last_event_id query parameter');
  return undefined;
}

function parseCursorOrRefuse(value: string, source: string): number {
  const cursor = parseCursor(value);
  if (cursor === undefined) throw new BadRequestException(`Invalid ${source} ${JSON.stringify(value.slice(0, 40))}: ${CURSOR_EXPECTED}.`);
  return cursor;
}
