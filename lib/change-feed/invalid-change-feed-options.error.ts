import { FirehoseError } from '../errors/firehose.error.js';

/** `FirehoseChangeFeedService.enable` options that name a missing column or an unknown operation. */
export class ChangeFeedInvalidOptionsError extends FirehoseError {
  constructor(
    readonly schema: string,
    readonly table: string,
    reason: string,
  ) {
    super(`Cannot enable a change feed on ${schema}.${table}: ${reason}`);
  }
}
