import { FirehoseError } from '../errors/firehose.error.js';

/** `FirehoseChangeFeedService.enable` options that name a missing column or an unknown operation. */
export class ChangeFeedInvalidOptionsError extends FirehoseError {
  constructor(
    /** The table's schema. */
    readonly schema: string,
    /** The table's name. */
    readonly table: string,
    reason: string,
  ) {
    super(`Cannot enable a change feed on ${schema}.${table}: ${reason}`);
  }
}
