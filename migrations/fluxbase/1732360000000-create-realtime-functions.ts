import type { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen copies of what this migration's SQL is built from, as it shipped (see the change-feed
// migration): a unit test checks that they still name what lib/ and the change feed name.

/** Serializes processes that apply the module's migrations at the same time. */
export const MIGRATION_LOCK_KEY = 7_236_351_990;
/**
 * The marker trigger enable_realtime puts on a table beside its change-feed trigger, so that
 * Fluxbase's check, `information_schema.triggers` rows `LIKE '%_notify_change'`, lists the table.
 * One name on every table: a trigger name is per table, and `<table>_notify_change` could be cut
 * at 63 bytes and no longer match.
 */
export const REALTIME_MARKER_TRIGGER = 'firehose_notify_change';
/** Fluxbase's own trigger function: a trigger calling it is Fluxbase's capture, replaced by the feed. */
export const FLUXBASE_TRIGGER_FUNCTION = 'notify_table_change';

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Qualified names of the functions this migration creates, and of the change feed's it calls. */
export function realtimeFunctions(schema?: string) {
  const prefix = schema ? `${quoteIdentifier(schema)}.` : '';
  return {
    enableRealtime: `${prefix}enable_realtime`,
    disableRealtime: `${prefix}disable_realtime`,
    markerFunction: `${prefix}firehose_realtime_marker`,
    changeFeedRegistry: `${prefix}firehose_change_feed_tables`,
    enableChangeFeed: `${prefix}firehose_enable_change_feed`,
    disableChangeFeed: `${prefix}firehose_disable_change_feed`,
  };
}

/**
 * Fluxbase's SQL helpers, `enable_realtime(schema, table)` and `disable_realtime(schema, table)`,
 * over table change feeds: they turn the table's feed on and off with the change feed's own
 * functions, and add or remove a marker trigger that never fires (`WHEN (false)`), so Fluxbase's
 * troubleshooting query finds the table. Same signatures as Fluxbase's (parameter names and
 * `void`), so the migration replaces Fluxbase's functions in a database that had them. Needs the
 * change-feed migration first. Idempotent.
 */
export class CreateRealtimeFunctions1732360000000 implements MigrationInterface {
  name = 'CreateRealtimeFunctions1732360000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = (queryRunner.connection.options as { schema?: string }).schema;
    const f = realtimeFunctions(schema);
    await queryRunner.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    if (schema) await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${f.markerFunction}() RETURNS trigger
      LANGUAGE plpgsql AS $fn$ BEGIN RETURN NULL; END $fn$`);

    // The table as the change feed finds it (a table or a partitioned one), quoted for EXECUTE.
    const findTable = (kinds: string) => `
        SELECT c.oid, format('%I.%I', n.nspname, c.relname) INTO v_rel, v_qualified
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN (${kinds});`;
    // A database that comes from Fluxbase has its capture trigger on the table: it would go on
    // sending every change to a channel nobody listens to, at the cost of a NOTIFY per row.
    const dropFluxbaseTriggers = `
        FOR v_trigger IN
          SELECT t.tgname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
          WHERE t.tgrelid = v_rel AND NOT t.tgisinternal AND p.proname = '${FLUXBASE_TRIGGER_FUNCTION}'
        LOOP
          EXECUTE format('DROP TRIGGER %I ON %s', v_trigger, v_qualified);
        END LOOP;
        EXECUTE format('DROP TRIGGER IF EXISTS ${REALTIME_MARKER_TRIGGER} ON %s', v_qualified);`;

    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${f.enableRealtime}(schema_name text, table_name text) RETURNS void
      -- Quiet: each DROP TRIGGER IF EXISTS inside would tell the caller there was nothing to drop.
      LANGUAGE plpgsql SET client_min_messages = warning AS $fn$
      DECLARE
        v_rel oid;
        v_qualified text;
        v_trigger name;
        v_operations text[];
      BEGIN
        ${findTable(`'r', 'p'`)}
        -- A feed already on keeps its options; a new one sends every column of every operation.
        -- The change feed's function refuses a missing table, and names that make no stream name.
        IF v_rel IS NULL OR NOT EXISTS (SELECT 1 FROM ${f.changeFeedRegistry} r WHERE r.relid = v_rel) THEN
          PERFORM ${f.enableChangeFeed}($1, $2);
        END IF;
        SELECT r.operations INTO v_operations FROM ${f.changeFeedRegistry} r WHERE r.relid = v_rel;
        ${dropFluxbaseTriggers}
        EXECUTE format('CREATE TRIGGER ${REALTIME_MARKER_TRIGGER} AFTER %s ON %s FOR EACH STATEMENT WHEN (false) EXECUTE FUNCTION ${f.markerFunction}()',
          array_to_string(v_operations, ' OR '), v_qualified);
      END
      $fn$`);

    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${f.disableRealtime}(schema_name text, table_name text) RETURNS void
      LANGUAGE plpgsql SET client_min_messages = warning AS $fn$
      DECLARE
        v_rel oid;
        v_qualified text;
        v_trigger name;
      BEGIN
        ${findTable(`'r', 'p'`)}
        IF v_rel IS NULL THEN
          RAISE EXCEPTION 'Cannot disable realtime on %.%: no such table.', $1, $2
            USING ERRCODE = 'undefined_table',
                  HINT = 'Pass the schema and table names as they are stored, unquoted and case-sensitive (''public'', ''Order Items'').';
        END IF;
        -- Like Fluxbase's, a no-op on a table without a feed.
        IF EXISTS (SELECT 1 FROM ${f.changeFeedRegistry} r WHERE r.relid = v_rel) THEN
          PERFORM ${f.disableChangeFeed}($1, $2);
        END IF;
        ${dropFluxbaseTriggers}
      END
      $fn$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const f = realtimeFunctions((queryRunner.connection.options as { schema?: string }).schema);
    const marked: Array<{ qualified: string }> = await queryRunner.query(
      `SELECT format('%I.%I', n.nspname, c.relname) AS qualified
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE t.tgname = '${REALTIME_MARKER_TRIGGER}' AND t.tgfoid = to_regprocedure('${f.markerFunction.replace(/'/g, "''")}()')`,
    );
    for (const { qualified } of marked) await queryRunner.query(`DROP TRIGGER IF EXISTS ${REALTIME_MARKER_TRIGGER} ON ${qualified}`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${f.disableRealtime}(text, text)`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${f.enableRealtime}(text, text)`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${f.markerFunction}()`);
  }
}
