import { FirehoseError } from '../errors/firehose.error.js';

/** `FirehoseChangeFeedService.disable` on a table without a feed (or no such table). */
export class ChangeFeedNotEnabledError extends FirehoseError {
  constructor(
    /** The table's schema. */
    readonly schema: string,
    /** The table's name. */
    readonly table: string,
  ) {
    super(
      `No change feed is enabled on ${schema}.${table}. FirehoseChangeFeedService.list() shows the enabled tables; schema and table names are case-sensitive and unquoted.`,
    );
  }
}
