import { FirehoseError } from './firehose.error.js';

/** A module option is invalid; the message names it and the accepted values. */
export class FirehoseConfigurationError extends FirehoseError {
  constructor(message: string) {
    super(`Invalid Firehose configuration: ${message}`);
  }
}
