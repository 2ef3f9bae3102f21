import { FirehoseError } from '../../errors/firehose.error.js';

/**
 * An option of `FirehoseTopicsModule.forRoot` is invalid; the message says which and what to give instead.
 *
 * @publicApi
 */
export class TopicsConfigurationError extends FirehoseError {
  constructor(message: string) {
    super(`Invalid FirehoseTopicsModule configuration: ${message}`);
  }
}
