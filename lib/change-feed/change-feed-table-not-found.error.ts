import { FirehoseError } from '../errors/firehose.error.js';

/** `FirehoseChangeFeedService.enable` on a table that does not exist. */
export class ChangeFeedTableNotFoundError extends FirehoseError {
  constructor(
    /** The table's schema. */
    readonly schema: string,
    /** The table's name. */
    readonly table: string,
  ) {
    super(
      `Cannot enable a change feed on ${schema}.${table}: no such table. Create it first (migrations run before the module boots), and pass the names as stored, unquoted and case-sensitive.`,
    );
  }
}
