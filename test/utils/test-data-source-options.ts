import { FIREHOSE_ENTITIES, FIREHOSE_MIGRATIONS } from '../../lib/index.js';

/** TypeORM options of every test app: the module's entities and migrations, applied at boot. */
export function testDataSourceOptions(url: string) {
  return {
    type: 'postgres' as const,
    url,
    entities: FIREHOSE_ENTITIES,
    migrations: FIREHOSE_MIGRATIONS,
    migrationsRun: true,
    poolSize: 10,
  };
}
