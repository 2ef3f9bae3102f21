import {
  CHANGE_FEED_MIGRATIONS,
  DURABLE_STREAMS_MIGRATIONS,
  FIREHOSE_ENTITIES,
  FIREHOSE_MIGRATIONS,
  FLUXBASE_MIGRATIONS,
} from '../../lib/index.js';

/**
 * TypeORM options of every test app: the module's entities and migrations, applied at boot.
 * `features` adds the feature modules' migrations (all by default; `[]` for a core-only app).
 */
export function testDataSourceOptions(
  url: string,
  features: Array<'durable-streams' | 'change-feed' | 'fluxbase'> = ['durable-streams', 'change-feed', 'fluxbase'],
) {
  return {
    type: 'postgres' as const,
    url,
    entities: FIREHOSE_ENTITIES,
    migrations: [
      ...FIREHOSE_MIGRATIONS,
      ...(features.includes('durable-streams') ? DURABLE_STREAMS_MIGRATIONS : []),
      ...(features.includes('change-feed') ? CHANGE_FEED_MIGRATIONS : []),
      ...(features.includes('fluxbase') ? FLUXBASE_MIGRATIONS : []),
    ],
    migrationsRun: true,
    poolSize: 10,
  };
}
