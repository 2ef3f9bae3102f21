import { Logger } from '@nestjs/common';
import { DataSource, type DataSourceOptions, type MixedList } from 'typeorm';
import { MIGRATION_LOCK_KEY } from '../firehose.constants.js';

/**
 * Applies a module's migrations (the core's or a feature module's) with their own history table
 * (`firehose_migrations`), through a short-lived DataSource on the app's settings, so the app's
 * own migration history is untouched.
 */
export async function runFirehoseMigrations(dataSource: DataSource, migrations: MixedList<Function>): Promise<void> {
  const migrator = new DataSource({
    ...dataSource.options,
    entities: [],
    subscribers: [],
    migrations,
    migrationsTableName: 'firehose_migrations',
    migrationsRun: false,
    synchronize: false,
    dropSchema: false,
    logging: false,
    // One connection, so the session lock below is held by the connection that migrates.
    poolSize: 1,
  } as DataSourceOptions);
  await migrator.initialize();
  try {
    // TypeORM creates its history table before any migration runs, so two processes booting
    // together race there; a session lock on the migrator's only connection serializes the run.
    await migrator.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await migrator.runMigrations({ transaction: 'each' });
    if (applied.length > 0) new Logger('Firehose').log(`Applied migrations: ${applied.map((m) => m.name).join(', ')}`);
  } finally {
    await migrator.destroy();
  }
}
