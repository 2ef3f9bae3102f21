import { Logger } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { FIREHOSE_MIGRATIONS } from '../../migrations/index.js';

/**
 * Applies the module's migrations with their own history table (`firehose_migrations`), through a
 * short-lived DataSource on the app's settings, so the app's own migration history is untouched.
 */
export async function runFirehoseMigrations(dataSource: DataSource): Promise<void> {
  const migrator = new DataSource({
    ...dataSource.options,
    entities: [],
    subscribers: [],
    migrations: FIREHOSE_MIGRATIONS,
    migrationsTableName: 'firehose_migrations',
    migrationsRun: false,
    synchronize: false,
    dropSchema: false,
    logging: false,
    poolSize: 1,
  } as DataSourceOptions);
  await migrator.initialize();
  try {
    const applied = await migrator.runMigrations({ transaction: 'each' });
    if (applied.length > 0) new Logger('Firehose').log(`Applied migrations: ${applied.map((m) => m.name).join(', ')}`);
  } finally {
    await migrator.destroy();
  }
}
