import type { ChangeOperation } from './table-change.interface.js';

/** Options of `FirehoseService.enableChangeFeed`. */
export interface ChangeFeedOptions {
  /**
   * Columns sent in `record` and `old_record`, in table order; every column when omitted. Keep the
   * columns your authorizer's `buildEvent` needs to decide (an owner id, say), DELETE included.
   */
  columns?: string[];
  /** Operations that produce events. @default ['INSERT', 'UPDATE', 'DELETE'] */
  operations?: ChangeOperation[];
  /** Replace the options of a feed that is already enabled instead of failing. @default false */
  replace?: boolean;
}

/** One enabled table, as `listChangeFeeds()` reports it. */
export interface ChangeFeedInfo {
  schema: string;
  table: string;
  /** The stream its changes go to: `table:<schema>.<table>`. */
  stream: string;
  /** The selected columns, or null for every column. */
  columns: string[] | null;
  operations: ChangeOperation[];
}
