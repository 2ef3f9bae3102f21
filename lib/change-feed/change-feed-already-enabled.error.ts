import { FirehoseError } from '../errors/firehose.error.js';

/** `FirehoseChangeFeedService.enable` on a table whose feed is already on. */
export class ChangeFeedAlreadyEnabledError extends FirehoseError {
  constructor(
    /** The table's schema. */
    readonly schema: string,
    /** The table's name. */
    readonly table: string,
  ) {
    super(
      `The change feed on ${schema}.${table} is already enabled. Disable it first, or pass { replace: true } to FirehoseChangeFeedService.enable to change its options.`,
    );
  }
}
