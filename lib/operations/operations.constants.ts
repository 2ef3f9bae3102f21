/** Injection token of the resolved `FirehoseOperationsModule` options (internal). */
export const OPERATIONS_OPTIONS = Symbol('FIREHOSE_OPERATIONS_OPTIONS');

export const DEFAULT_OPERATIONS_PATH = '/healthz';
export const DEFAULT_QUEUE_WATCH_INTERVAL = 30_000;
/** The point where PostgreSQL itself starts warning about the queue in its log. */
export const DEFAULT_QUEUE_WARN_THRESHOLD = 0.5;
export const DEFAULT_SHUTDOWN_TIMEOUT = 10_000;
/** Name of the OpenTelemetry meter the module's instruments belong to. */
export const METER_NAME = 'nestjs-firehose';
