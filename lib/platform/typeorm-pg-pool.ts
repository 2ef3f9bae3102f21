import type pg from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The pg pool behind a TypeORM postgres DataSource (its driver's `master`). Hot paths query it
 * directly: a TypeORM QueryRunner per query costs more than the query. Undefined for a driver
 * without one (another database type).
 */
export function dataSourcePool(dataSource: DataSource): pg.Pool | undefined {
  return (dataSource.driver as { master?: pg.Pool }).master;
}
