/** Defaults of the `FirehoseFluxbaseModule.forRoot` options: Fluxbase's own. */
export const DEFAULT_FLUXBASE_PATH = '/realtime';
export const DEFAULT_FLUXBASE_STATS_PATH = '/api/realtime/stats';
/** Fluxbase sends `{"type":"heartbeat"}` every 30 s. */
export const DEFAULT_FLUXBASE_HEARTBEAT_INTERVAL = 30_000;

/** Injection token of the resolved options of one `FirehoseFluxbaseModule.forRoot` registration. */
export const FLUXBASE_OPTIONS = Symbol('FLUXBASE_OPTIONS');
/** Injection token that resolves once the module's SQL helpers are in place (with `migrationsRun`). */
export const FLUXBASE_MIGRATIONS_APPLIED = Symbol('FLUXBASE_MIGRATIONS_APPLIED');

/** Prefix of a table feed's channel: `table:<schema>.<table>`, the stream of its change feed. */
export const FLUXBASE_TABLE_CHANNEL_PREFIX = 'table:';
