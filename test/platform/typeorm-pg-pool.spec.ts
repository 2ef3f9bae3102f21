import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourcePool } from '../../lib/platform/typeorm-pg-pool.js';

const url = process.env.FIREHOSE_TEST_DATABASE_URL ?? process.env.DATABASE_URL;

describe('platform/typeorm-pg-pool: TypeORM keeps its pg pool in driver.master', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await new DataSource({ type: 'postgres', url, poolSize: 2 }).initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  it('is a pg.Pool of the DataSource that answers queries', async () => {
    const pool = dataSourcePool(dataSource);
    expect(pool).toBeInstanceOf(pg.Pool);
    const { rows } = await pool!.query<{ n: number }>({ name: 'platform_probe', text: 'SELECT $1::int AS n', values: [7] });
    expect(rows).toEqual([{ n: 7 }]);
    // The same pool TypeORM itself uses: its connections count there.
    await dataSource.query('SELECT 1');
    expect(pool!.totalCount).toBeGreaterThan(0);
  });
});
