import { FirehoseError } from '../../errors/firehose.error.js';

/** An option of `DurableStreamsModule.forRoot` is invalid, or the app cannot serve it; the message says which and what to give instead. */
export class DurableStreamsConfigurationError extends FirehoseError {
  constructor(message: string) {
    super(`Invalid DurableStreamsModule configuration: ${message}`);
  }
}
