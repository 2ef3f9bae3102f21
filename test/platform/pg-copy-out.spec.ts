import pg from 'pg';
import { parseInt8ByteaRows } from '../../lib/durable-streams/store/binary-copy-rows.js';
import { copyOut } from '../../lib/platform/pg-copy-out.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

// Pins what catch-up reads rely on in pg-copy-streams and pg: the exact bytes of a binary COPY,
// however many socket reads it spans; the server's error with its SQLSTATE; and a connection that
// is in step afterwards (pg's own parser back in place), for plain queries and the next COPY.
describe('platform: COPY … TO STDOUT through pg-copy-streams', () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase('platform_copy');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE copy_rows (n bigint PRIMARY KEY, data bytea NOT NULL)');
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  const copyRows = (where = '') =>
    copyOut(client, `COPY (SELECT n, data FROM copy_rows ${where} ORDER BY n) TO STDOUT (FORMAT binary)`).then(parseInt8ByteaRows);

  it('returns every byte of every row, over many socket reads', async () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const big = Buffer.alloc(3 * 1024 * 1024, 0xab);
    await client.query('INSERT INTO copy_rows VALUES (1, $1), (2, $2), (3, $3), ($4, $5)', [
      every,
      Buffer.alloc(0),
      big,
      String(2 ** 53 - 1),
      Buffer.from('last'),
    ]);
    const rows = await copyRows();
    expect(rows.map(([n]) => n)).toEqual([1, 2, 3, 2 ** 53 - 1]);
    expect(rows[0][1].equals(every)).toBe(true);
    expect(rows[1][1].length).toBe(0);
    expect(rows[2][1].equals(big)).toBe(true);
    expect(rows[3][1].toString()).toBe('last');
  });

  it('an empty result is the header and the trailer only', async () => {
    expect(await copyRows('WHERE n < 0')).toEqual([]);
  });

  it('keeps the connection in step: a plain query and the next COPY right after one', async () => {
    await copyRows();
    const { rows } = await client.query('SELECT 41 + 1 AS answer');
    expect(rows).toEqual([{ answer: 42 }]);
    expect((await copyRows('WHERE n = 1')).length).toBe(1);
  });

  it('rejects with the server error and its SQLSTATE, and the connection still serves queries', async () => {
    const error = await copyOut(client, 'COPY (SELECT 1 / 0) TO STDOUT (FORMAT binary)').catch((e: Error & { code?: string }) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { code?: string }).code).toBe('22012');
    const missing = await copyOut(client, 'COPY (SELECT * FROM no_such_table) TO STDOUT (FORMAT binary)').catch((e) => e);
    expect(missing.code).toBe('42P01');
    const { rows } = await client.query('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
    expect((await copyRows('WHERE n = 2')).length).toBe(1);
  });

  it('rejects without a SQLSTATE when the connection breaks mid-COPY', async () => {
    const victim = new pg.Client({ connectionString: db.url });
    await victim.connect();
    victim.on('error', () => undefined);
    const [{ pid }] = (await victim.query('SELECT pg_backend_pid() AS pid')).rows;
    const copying = copyOut(
      victim,
      'COPY (SELECT g, pg_sleep(0.01)::text::bytea FROM generate_series(1, 2000) g) TO STDOUT (FORMAT binary)',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.query('SELECT pg_terminate_backend($1)', [pid]);
    const error = await copying.catch((e: Error & { code?: string }) => e);
    expect(error).toBeInstanceOf(Error);
    // A terminated backend sends 57P01 before closing; either way the caller must not reuse it.
    expect(['57P01', undefined]).toContain((error as { code?: string }).code);
    await victim.end().catch(() => undefined);
  });
});
