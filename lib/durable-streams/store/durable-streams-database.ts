import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { dataSourcePool } from '../../platform/typeorm-pg-pool.js';
import { DurableStreamsConfigurationError } from '../errors/durable-streams-configuration.error.js';
import { durableStreamsTables, type DurableStreamsTables } from './durable-streams-tables.js';

/** What every Durable Streams store queries with: the app's pg pool, the qualified table names, the NOTIFY channel. */
export interface DurableStreamsDatabase {
  pool: pg.Pool;
  tables: DurableStreamsTables;
  /** Channel of the NOTIFY each append, close or delete sends with the stream id. */
  channel: string;
}

export function durableStreamsDatabase(dataSource: DataSource, channel: string): DurableStreamsDatabase {
  const pool = dataSourcePool(dataSource);
  if (!pool) throw new DurableStreamsConfigurationError('Durable Streams needs a TypeORM DataSource of type "postgres".');
  return { pool, tables: durableStreamsTables((dataSource.options as { schema?: string }).schema), channel };
}
