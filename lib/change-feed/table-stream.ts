import type { FirehoseEvent } from '../protocol/firehose-event.js';
import { TABLE_STREAM_PREFIX } from './change-feed.constants.js';
import type { TableChange } from './table-change.interface.js';

/** The stream a table's changes go to: `table:<schema>.<table>`, names as stored (unquoted). */
export function tableStream(schema: string, table: string): string {
  return `${TABLE_STREAM_PREFIX}${schema}.${table}`;
}

/**
 * True for events of a table stream, so an authorizer's `buildEvent` can decide per row:
 * `if (isTableChangeEvent(event)) return (event.data.record ?? event.data.old_record)?.owner_id === user.id ? event : null;`
 */
export function isTableChangeEvent<T = Record<string, unknown>>(event: FirehoseEvent): event is FirehoseEvent<TableChange<T>> {
  return event.stream.startsWith(TABLE_STREAM_PREFIX) && typeof (event.data as TableChange | null)?.type === 'string';
}
