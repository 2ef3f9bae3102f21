import type { DataSource } from 'typeorm';
import { ChangeFeedAlreadyEnabledError } from './change-feed-already-enabled.error.js';
import { ChangeFeedNotEnabledError } from './change-feed-not-enabled.error.js';
import type { ChangeFeedInfo } from './change-feed-info.interface.js';
import type { ChangeFeedOptions } from './change-feed-options.interface.js';
import { ChangeFeedTableNotFoundError } from './change-feed-table-not-found.error.js';
import { changeFeedTables, type ChangeFeedTables } from './change-feed-tables.js';
import { ChangeFeedInvalidOptionsError } from './invalid-change-feed-options.error.js';
import { CHANGE_OPERATIONS } from './change-feed.constants.js';
import type { ChangeOperation } from './table-change.interface.js';

/**
 * Turns feeds on and off through the SQL functions of the change-feed migration, so code and SQL
 * (`SELECT firehose_enable_change_feed('public', 'products')`) do exactly the same thing.
 */
export class ChangeFeedRegistry {
  private readonly t: ChangeFeedTables;

  constructor(private readonly dataSource: DataSource) {
    this.t = changeFeedTables((dataSource.options as { schema?: string }).schema);
  }

  /** Installs the table's triggers; resolves with its stream name, `table:<schema>.<table>`. */
  async enable(schema: string, table: string, options: ChangeFeedOptions = {}): Promise<string> {
    assertName('schema', schema);
    assertName('table', table);
    const operations = options.operations ?? [...CHANGE_OPERATIONS];
    if (!Array.isArray(operations) || operations.length === 0 || operations.some((op) => !CHANGE_OPERATIONS.includes(op))) {
      throw new ChangeFeedInvalidOptionsError(
        schema,
        table,
        `operations must be a non-empty list of ${CHANGE_OPERATIONS.join(', ')}, got ${JSON.stringify(operations)}.`,
      );
    }
    const columns = options.columns;
    if (columns !== undefined && (!Array.isArray(columns) || columns.length === 0 || columns.some((c) => typeof c !== 'string'))) {
      throw new ChangeFeedInvalidOptionsError(
        schema,
        table,
        `columns must be a non-empty list of column names (or left out for every column), got ${JSON.stringify(columns)}.`,
      );
    }
    try {
      const [row] = await this.dataSource.query(`SELECT ${this.t.enableFunction}($1, $2, $3::text[], $4::text[], $5) AS stream`, [
        schema,
        table,
        columns ?? null,
        operations,
        options.replace ?? false,
      ]);
      return row.stream;
    } catch (error) {
      switch ((error as { code?: string }).code) {
        case '42710':
          throw new ChangeFeedAlreadyEnabledError(schema, table);
        case '42P01':
          throw new ChangeFeedTableNotFoundError(schema, table);
        case '42602':
          throw new ChangeFeedInvalidOptionsError(
            schema,
            table,
            (error as Error).message.replace(/^Cannot enable a change feed on [^:]*: /, ''),
          );
        case '42703':
        case '22023':
          throw new ChangeFeedInvalidOptionsError(
            schema,
            table,
            `${(error as Error).message.replace(/^Cannot enable a change feed on [^:]*: /, '')} Name columns exactly (case-sensitive).`,
          );
        default:
          throw error;
      }
    }
  }

  /** Removes the table's triggers. Changes already committed are still delivered. */
  async disable(schema: string, table: string): Promise<void> {
    assertName('schema', schema);
    assertName('table', table);
    try {
      await this.dataSource.query(`SELECT ${this.t.disableFunction}($1, $2)`, [schema, table]);
    } catch (error) {
      if ((error as { code?: string }).code === '42704') throw new ChangeFeedNotEnabledError(schema, table);
      throw error;
    }
  }

  async list(): Promise<ChangeFeedInfo[]> {
    const rows: Array<{
      schema_name: string;
      table_name: string;
      stream: string;
      columns: string[] | null;
      operations: ChangeOperation[];
    }> = await this.dataSource.query(`SELECT * FROM ${this.t.listFunction}()`);
    return rows.map((row) => ({
      schema: row.schema_name,
      table: row.table_name,
      stream: row.stream,
      columns: row.columns,
      operations: row.operations,
    }));
  }
}

function assertName(what: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new ChangeFeedInvalidOptionsError(
      String(name),
      '',
      `the ${what} name must be a non-empty string, as stored in PostgreSQL (unquoted).`,
    );
  }
}
