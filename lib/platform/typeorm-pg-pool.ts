// Contract: a TypeORM postgres DataSource keeps its pg.Pool in `driver.master` (verified with typeorm 1.1.1 and pg 8.23.1; peer ranges typeorm ^1.1, pg ^8.16).
import type pg from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The pg pool behind a TypeORM postgres DataSource. Hot paths query it directly: a TypeORM
 * QueryRunner per query costs more than the query. Undefined for a driver without one (another
 * database type), and then callers go through the DataSource.
 */
export function dataSourcePool(dataSource: DataSource): pg.Pool | undefined {
  return (dataSource.driver as { master?: pg.Pool }).master;
}
