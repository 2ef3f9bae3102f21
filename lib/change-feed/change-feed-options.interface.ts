import type { ChangeOperation } from './table-change.interface.js';

/** Options of `FirehoseChangeFeedService.enable`. */
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
