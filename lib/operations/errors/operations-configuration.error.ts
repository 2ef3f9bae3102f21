import { FirehoseError } from '../../errors/firehose.error.js';

/**
 * An option of `FirehoseOperationsModule.forRoot` is invalid, or what it needs is not installed;
 * the message says which and what to do.
 *
 * @publicApi
 */
export class OperationsConfigurationError extends FirehoseError {
  constructor(message: string) {
    super(`Invalid FirehoseOperationsModule configuration: ${message}`);
  }
}
