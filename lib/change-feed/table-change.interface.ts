export type ChangeOperation = 'INSERT' | 'UPDATE' | 'DELETE';

/**
 * The `data` of an event on a table stream (`table:<schema>.<table>`), as in the Fluxbase realtime
 * format: `record` on INSERT and UPDATE, `old_record` on UPDATE and DELETE. Column values are as
 * PostgreSQL's `row_to_json` writes them (numbers, strings, ISO timestamps, nested JSON).
 */
export interface TableChange<T = Record<string, unknown>> {
  type: ChangeOperation;
  schema: string;
  table: string;
  record?: T;
  old_record?: T;
}
