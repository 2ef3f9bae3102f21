import type { CanActivate, Type } from '@nestjs/common';

/**
 * Options of `FirehoseOperationsModule.forRoot`. Every one has a default.
 *
 * @publicApi
 */
export interface FirehoseOperationsOptions {
  /** Route of the JSON health and stats endpoint (`GET`); `false` serves none. Default `/healthz`. */
  path?: string | false;
  /** Guard classes run on the endpoint, after the app's global guards. Default none. */
  guards?: Type<CanActivate>[];
  /** Milliseconds between reads of `pg_notification_queue_usage()`; `0` turns the watch off. Default `30000`. */
  queueWatchInterval?: number;
  /** Fraction of the NOTIFY queue (0 to 1) above which a warning is logged and health turns down. Default `0.5`. */
  queueWarnThreshold?: number;
  /**
   * Register OpenTelemetry instruments with the global meter provider (`@opentelemetry/api`, a
   * no-op until the app installs an SDK). Default: when `@opentelemetry/api` is installed; `true`
   * fails the boot when it is not.
   */
  metrics?: boolean;
  /** Streams listed one by one on the endpoint, the busiest first. Default `100`. */
  streamLimit?: number;
  /**
   * Milliseconds a shutdown by signal (with `app.enableShutdownHooks()`) may take before the
   * process exits with code 1 anyway; `0` waits as long as it takes. Default `10000`.
   */
  shutdownTimeout?: number;
}
