/**
 * Runtime options of `FirehoseModule.forRoot()` / `forRootAsync()`. Every one is optional; the
 * defaults are the Firehose protocol's.
 */
export interface FirehoseModuleOptions {
  /**
   * Connection string of the dedicated LISTEN connection. Point it at PostgreSQL directly, not at a
   * transaction-mode pooler. When omitted it is built from the app's TypeORM DataSource options.
   */
  databaseUrl?: string;
  /** NOTIFY channel the module listens on; a lower-case identifier. @default 'firehose' */
  channel?: string;
  /** Messages kept per stream; older ones are deleted off the broadcast path. @default 100 */
  cleanupThreshold?: number;
  /** Milliseconds between cleanup passes over the streams written since the last pass. @default 1000 */
  cleanupInterval?: number;
  /** Failed reconnects after which the listener reports unhealthy (it keeps retrying). @default 5 */
  reconnectAttempts?: number;
  /** First reconnect delay in milliseconds; doubles per attempt, with jitter. @default 1000 */
  reconnectDelay?: number;
  /** Largest NOTIFY payload in UTF-8 bytes; larger events travel by id. @default 7999 */
  notifyMaxBytes?: number;
  /** Largest accepted event `data`, in UTF-8 bytes of its JSON. @default 1048576 */
  maxPayloadBytes?: number;
  /** Most broadcasts written in one group-commit transaction. @default 500 */
  batchSize?: number;
  /** Rows read per query while replaying or catching up. @default 1000 */
  replayBatchSize?: number;
  /** Milliseconds between listener heartbeats. @default 10000 */
  heartbeatInterval?: number;
  /** Milliseconds a heartbeat may take before the connection is replaced. @default 5000 */
  heartbeatTimeout?: number;
  /** Apply the module's migrations at boot (tracked in the `firehose_migrations` table). @default false */
  migrationsRun?: boolean;
  /** Messages an open queue handle holds before it drops the oldest. @default 10000 */
  queueBufferSize?: number;
}

export interface FirehoseModuleExtras {
  /** Register the module globally so FirehoseService can be injected anywhere. @default true */
  isGlobal?: boolean;
  /** Name of the TypeORM DataSource to store events in (as given to TypeOrmModule). */
  dataSource?: string;
}

export interface FirehoseOptionsFactory {
  createFirehoseOptions(): Promise<FirehoseModuleOptions> | FirehoseModuleOptions;
}
