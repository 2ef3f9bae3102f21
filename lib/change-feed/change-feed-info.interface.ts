import type { ChangeOperation } from './table-change.interface.js';

/** One table with a change feed, as `FirehoseChangeFeedService.list()` reports it. */
export interface ChangeFeedInfo {
  schema: string;
  table: string;
  /** The stream its changes go to: `table:<schema>.<table>`. */
  stream: string;
  /** The selected columns, or null for every column. */
  columns: string[] | null;
  operations: ChangeOperation[];
}
