import type { ChangeOperation } from './table-change.interface.js';

/** One table with a change feed, as `FirehoseChangeFeedService.list()` reports it. */
export interface ChangeFeedInfo {
  /** The table's schema. */
  schema: string;
  /** The table's name. */
  table: string;
  /** The stream its changes go to: `table:<schema>.<table>`. */
  stream: string;
  /** The selected columns, or null for every column. */
  columns: string[] | null;
  /** The operations that produce events. */
  operations: ChangeOperation[];
}
