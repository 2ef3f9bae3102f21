import { ChangeFeedInvalidOptionsError } from '../../lib/index.js';
import { createFirehoseApp, type FirehoseTestApp } from '../utils/create-firehose-app.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

/** A table's stream name must name that table only: no two tables may share a stream. */
describe('change-feed stream names', () => {
  let db: TestDatabase;
  let t: FirehoseTestApp;

  beforeAll(async () => {
    db = await createTestDatabase('change_feed_names');
    t = await createFirehoseApp({ url: db.url, changeFeeds: true });
    await db.query('CREATE SCHEMA "a.b"');
    await db.query('CREATE TABLE "a.b".c (id int PRIMARY KEY)');
    await db.query('CREATE SCHEMA a');
    await db.query('CREATE TABLE a."b.c" (id int PRIMARY KEY)');
    await db.query(`CREATE TABLE public."line${'\n'}break" (id int PRIMARY KEY)`);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('refuses a schema name with a dot, which would share table:a.b.c with another table', async () => {
    await expect(t.changeFeeds.enable('a.b', 'c')).rejects.toThrow(ChangeFeedInvalidOptionsError);
    await expect(t.changeFeeds.enable('a.b', 'c')).rejects.toThrow(
      'Cannot enable a change feed on a.b.c: a schema name with a dot would make the stream name table:a.b.c ambiguous.',
    );
    // The SQL helper refuses it too.
    await expect(db.query(`SELECT firehose_enable_change_feed('a.b', 'c')`)).rejects.toThrow(/ambiguous/);
    // The other table keeps the name for itself.
    expect(await t.changeFeeds.enable('a', 'b.c')).toBe('table:a.b.c');
  });

  it('refuses names that make no valid stream name', async () => {
    await expect(t.changeFeeds.enable('public', 'line\nbreak')).rejects.toThrow(
      /^Cannot enable a change feed on public\.line\nbreak: names with control characters make no valid stream name\.$/,
    );
    expect((await t.changeFeeds.list()).map((feed) => feed.stream)).toEqual(['table:a.b.c']);
  });
});
