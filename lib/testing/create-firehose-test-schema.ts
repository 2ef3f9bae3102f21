import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource, type MixedList } from 'typeorm';
import { FIREHOSE_MIGRATIONS } from '../../migrations/index.js';
import { FIREHOSE_ENTITIES } from '../store/firehose.entities.js';

/** Options of `createFirehoseTestSchema`. */
export interface FirehoseTestSchemaOptions {
  /** A PostgreSQL database the test may create schemas in, e.g. `process.env.DATABASE_URL`. */
  url: string;
  /** Migrations applied after the core's, e.g. `CHANGE_FEED_MIGRATIONS` and the app's own. */
  migrations?: MixedList<Function>;
}

/** A throwaway schema with the module's tables, for one e2e test file. */
export interface FirehoseTestSchema {
  /** The schema's name (`firehose_test_…`). */
  readonly schema: string;
  /** For `TypeOrmModule.forRoot({ ...dataSourceOptions, entities: [...dataSourceOptions.entities, ...yours] })`. */
  readonly dataSourceOptions: { type: 'postgres'; url: string; schema: string; entities: Function[]; extra: { options: string } };
  /**
   * For `FirehoseModule.forRoot({ ...firehoseOptions })`. NOTIFY channels belong to the database,
   * not the schema, so each test schema gets a channel of its own.
   */
  readonly firehoseOptions: { notifyChannel: string };
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/**
 * Creates a schema with the module's migrations applied, so test files can run in parallel on one
 * database without seeing each other's events.
 */
export async function createFirehoseTestSchema(options: FirehoseTestSchemaOptions): Promise<FirehoseTestSchema> {
  const suffix = randomBytes(4).toString('hex');
  const schema = `firehose_test_${suffix}`;
  await withClient(options.url, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const migrator = new DataSource({
    type: 'postgres',
    url: options.url,
    schema,
    extra: searchPath(schema),
    migrations: [...FIREHOSE_MIGRATIONS, ...toArray(options.migrations)],
    migrationsTableName: 'firehose_migrations',
    poolSize: 1,
  });
  await migrator.initialize();
  try {
    await migrator.runMigrations({ transaction: 'each' });
  } finally {
    await migrator.destroy();
  }
  return {
    schema,
    dataSourceOptions: { type: 'postgres', url: options.url, schema, entities: [...FIREHOSE_ENTITIES], extra: searchPath(schema) },
    firehoseOptions: { notifyChannel: `firehose_${suffix}` },
    drop: () => withClient(options.url, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}

/** Unqualified names in the app's own SQL and migrations resolve in the test schema too. */
function searchPath(schema: string): { options: string } {
  return { options: `-c search_path=${schema}` };
}

function toArray(list: MixedList<Function> | undefined): Function[] {
  if (!list) return [];
  return Array.isArray(list) ? list : Object.values(list);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
