import { FirehoseError } from '../errors/firehose.error.js';

/**
 * An option of `FirehoseFluxbaseModule.forRoot` is invalid; thrown when the module is imported.
 *
 * @publicApi
 */
export class FluxbaseConfigurationError extends FirehoseError {
  constructor(message: string) {
    super(`Invalid FirehoseFluxbaseModule configuration: ${message}`);
  }
}
