/** A row operation a change feed captures. */
export type ChangeOperation = 'INSERT' | 'UPDATE' | 'DELETE';

/**
 * The `data` of an event on a table stream (`table:<schema>.<table>`), as in the Fluxbase realtime
 * format: `record` on INSERT and UPDATE, `old_record` on UPDATE and DELETE. Column values are as
 * PostgreSQL's `row_to_json` writes them (numbers, strings, ISO timestamps, nested JSON).
 */
export interface TableChange<T = Record<string, unknown>> {
  /** The operation. */
  type: ChangeOperation;
  /** The table's schema. */
  schema: string;
  /** The table's name. */
  table: string;
  /** The row after the change (INSERT, UPDATE). */
  record?: T;
  /** The row before the change (UPDATE, DELETE). */
  old_record?: T;
}
