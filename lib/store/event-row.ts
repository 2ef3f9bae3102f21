import type { FirehoseEvent } from '../protocol/firehose-event.js';

/**
 * An event as the log's SQL returns it: `bigint` columns arrive as strings from pg (they can exceed
 * 2^53 in principle; ids and sequences stay far below it in practice, so Number is exact).
 */
export interface EventRow {
  id: string;
  stream: string;
  sequence: string;
  channel_id: number;
}

/** The event of `row`, with `data` as the caller holds it (the row's own, or what was broadcast). */
export function eventFromRow<T>(row: EventRow, data: T): FirehoseEvent<T> {
  return { id: Number(row.id), stream: row.stream, data, sequence: Number(row.sequence), streamId: row.channel_id };
}
