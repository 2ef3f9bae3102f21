import type { Meter } from '@opentelemetry/api';
import { OperationsConfigurationError } from './errors/operations-configuration.error.js';
import { METER_NAME } from './operations.constants.js';

/**
 * The module's meter from the app's global meter provider. `@opentelemetry/api` is an optional
 * peer dependency, so it is loaded on demand: an app without it boots all the same, without
 * metrics, unless it asked for them (`metrics: true`).
 */
export async function loadMeter(wanted: boolean | undefined): Promise<Meter | undefined> {
  if (wanted === false) return undefined;
  try {
    const { metrics } = await import('@opentelemetry/api');
    return metrics.getMeter(METER_NAME);
  } catch (error) {
    if (wanted === undefined) return undefined;
    throw new OperationsConfigurationError(
      `metrics: true needs the @opentelemetry/api package (${(error as Error).message}); install it, or leave metrics unset.`,
    );
  }
}
