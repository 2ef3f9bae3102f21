import * as changeFeedMigration from '../../migrations/change-feed/1732340000000-create-change-feed-functions.js';
import * as coreMigration from '../../migrations/core/1732320000000-create-firehose-tables.js';
import * as signMigration from '../../migrations/core/1732350000000-sign-firehose-notifications.js';
import { NOTIFY_SIGNATURE_CHARS } from '../../lib/protocol/notify-payload.js';
import * as fluxbaseMigration from '../../migrations/fluxbase/1732360000000-create-realtime-functions.js';
import * as changeFeedConstants from '../../lib/change-feed/change-feed.constants.js';
import { changeFeedTables } from '../../lib/change-feed/change-feed-tables.js';
import { APPEND_LOCK_KEY, MIGRATION_LOCK_KEY } from '../../lib/firehose.constants.js';
import { firehoseTables, quoteIdentifier } from '../../lib/store/firehose-tables.js';

// Migrations build their SQL from frozen copies of lib's names and lock keys, while lib queries the
// objects they create with its own copies: the two must name the same tables, functions and locks.
// When one of these fails, lib changed: write a new migration instead of editing the old one.

const SCHEMAS = [undefined, 'public', 'Shop Floor', 'say "when"', "o'clock"];

describe('migrations keep frozen copies that agree with lib', () => {
  it('the core migration: lock keys, identifier quoting and object names', () => {
    expect(coreMigration.APPEND_LOCK_KEY).toBe(APPEND_LOCK_KEY);
    expect(coreMigration.MIGRATION_LOCK_KEY).toBe(MIGRATION_LOCK_KEY);
    for (const schema of SCHEMAS) {
      if (schema) expect(coreMigration.quoteIdentifier(schema)).toBe(quoteIdentifier(schema));
      // lib names more objects since; those the first migration made keep their names.
      expect(firehoseTables(schema)).toMatchObject(coreMigration.firehoseTables(schema));
    }
  });

  it('the signing migration: lock keys, signature length and object names', () => {
    expect(signMigration.APPEND_LOCK_KEY).toBe(APPEND_LOCK_KEY);
    expect(signMigration.MIGRATION_LOCK_KEY).toBe(MIGRATION_LOCK_KEY);
    expect(signMigration.NOTIFY_SIGNATURE_CHARS).toBe(NOTIFY_SIGNATURE_CHARS);
    for (const schema of SCHEMAS) {
      if (schema) expect(signMigration.quoteIdentifier(schema)).toBe(quoteIdentifier(schema));
      expect(signMigration.firehoseTables(schema)).toEqual(firehoseTables(schema));
    }
  });

  it('the change-feed migration: lock keys, barrier settings and object names', () => {
    expect(changeFeedMigration.MIGRATION_LOCK_KEY).toBe(MIGRATION_LOCK_KEY);
    expect(changeFeedMigration.CHANGE_BARRIER_LOCK_CLASS).toBe(changeFeedConstants.CHANGE_BARRIER_LOCK_CLASS);
    expect(changeFeedMigration.CHANGE_BARRIER_STRIPES).toBe(changeFeedConstants.CHANGE_BARRIER_STRIPES);
    expect(changeFeedMigration.CHANGE_BARRIER_TIMEOUT).toBe(changeFeedConstants.CHANGE_BARRIER_TIMEOUT);
    expect(changeFeedMigration.CHANGE_RELAY_LOCK_KEY).toBe(changeFeedConstants.CHANGE_RELAY_LOCK_KEY);
    for (const schema of SCHEMAS) {
      if (schema) expect(changeFeedMigration.quoteIdentifier(schema)).toBe(quoteIdentifier(schema));
      expect(changeFeedMigration.firehoseAppendFunction(schema)).toBe(firehoseTables(schema).appendFunction);
      expect(changeFeedMigration.changeFeedTables(schema)).toEqual(changeFeedTables(schema));
    }
  });

  it("the Fluxbase migration: the lock key and the change feed's objects it calls", () => {
    expect(fluxbaseMigration.MIGRATION_LOCK_KEY).toBe(MIGRATION_LOCK_KEY);
    for (const schema of SCHEMAS) {
      if (schema) expect(fluxbaseMigration.quoteIdentifier(schema)).toBe(quoteIdentifier(schema));
      const names = fluxbaseMigration.realtimeFunctions(schema);
      const feed = changeFeedTables(schema);
      expect([names.changeFeedRegistry, names.enableChangeFeed, names.disableChangeFeed]).toEqual([
        feed.registry,
        feed.enableFunction,
        feed.disableFunction,
      ]);
    }
  });

  it('the single-key advisory locks of the core and the change feed are distinct', () => {
    const keys = [APPEND_LOCK_KEY, MIGRATION_LOCK_KEY, changeFeedConstants.CHANGE_RELAY_LOCK_KEY];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
