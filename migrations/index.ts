import type { MigrationInterface } from 'typeorm';
import { CreateChangeFeedFunctions1732340000000 } from './change-feed/1732340000000-create-change-feed-functions.js';
import { CreateFirehoseTables1732320000000 } from './core/1732320000000-create-firehose-tables.js';
import { SignFirehoseNotifications1732350000000 } from './core/1732350000000-sign-firehose-notifications.js';
import { CreateDurableStreamsTables1732330000000 } from './durable-streams/1732330000000-create-durable-streams-tables.js';
import { CreateRealtimeFunctions1732360000000 } from './fluxbase/1732360000000-create-realtime-functions.js';
import { BoundDurableStreamsAppends1732361000000 } from './durable-streams/1732361000000-bound-durable-streams-appends.js';

export {
  CreateFirehoseTables1732320000000,
  SignFirehoseNotifications1732350000000,
  CreateDurableStreamsTables1732330000000,
  BoundDurableStreamsAppends1732361000000,
  CreateChangeFeedFunctions1732340000000,
  CreateRealtimeFunctions1732360000000,
};

/** A migration class, as TypeORM's `migrations` option takes it. */
export type FirehoseMigration = new () => MigrationInterface;

/**
 * The core's migrations (streams and events, then the key that signs notifications), in order.
 * Add them to your DataSource's `migrations`.
 */
export const FIREHOSE_MIGRATIONS: FirehoseMigration[] = [CreateFirehoseTables1732320000000, SignFirehoseNotifications1732350000000];

/** The migrations of `DurableStreamsModule`, in order; add them after FIREHOSE_MIGRATIONS. */
export const DURABLE_STREAMS_MIGRATIONS: FirehoseMigration[] = [
  CreateDurableStreamsTables1732330000000,
  BoundDurableStreamsAppends1732361000000,
];

/** The migrations of `FirehoseChangeFeedModule`, in order; add them after FIREHOSE_MIGRATIONS. */
export const CHANGE_FEED_MIGRATIONS: FirehoseMigration[] = [CreateChangeFeedFunctions1732340000000];

/**
 * The migrations of `FirehoseFluxbaseModule` (`enable_realtime`, `disable_realtime`), in order; add
 * them after CHANGE_FEED_MIGRATIONS, whose functions they call.
 */
export const FLUXBASE_MIGRATIONS: FirehoseMigration[] = [CreateRealtimeFunctions1732360000000];
