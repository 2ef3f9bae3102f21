import type { MigrationInterface, QueryRunner } from 'typeorm';
import { MIGRATION_LOCK_KEY } from '../../lib/firehose.constants.js';
import { changeFeedTables } from '../../lib/change-feed/change-feed-tables.js';
import { quoteIdentifier } from '../../lib/store/firehose-tables.js';
import { CreateChangeFeedFunctions1732340000000 } from './1732340000000-create-change-feed-functions.js';

/** The triggers the first change-feed design put on every enabled table. */
const FIRST_DESIGN_TRIGGERS = ['firehose_change_feed_insert', 'firehose_change_feed_update', 'firehose_change_feed_delete'];

/**
 * Moves a database from the first change-feed design to the current one. The first design staged
 * one row per statement from statement triggers, numbered by a second, deferred trigger; the
 * current one stages one row per change from a single deferred trigger. On a database that never
 * had the first design (CreateChangeFeedFunctions1732340000000 already installs the current one)
 * this does nothing. Changes already staged are kept, in order, and enabled tables keep their
 * columns and operations.
 */
export class UpgradeChangeFeedCapture1732350000000 implements MigrationInterface {
  name = 'UpgradeChangeFeedCapture1732350000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = (queryRunner.connection.options as { schema?: string }).schema;
    const t = changeFeedTables(schema);
    await queryRunner.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    const [{ first }] = await queryRunner.query(
      `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'events' AND NOT attisdropped) AS first`,
      [t.staging],
    );
    if (!first) return;

    // Writers' triggers and the relay wait here until the upgrade commits.
    await queryRunner.query(`LOCK TABLE ${t.staging} IN ACCESS EXCLUSIVE MODE`);
    const staged: Array<{ stream: string; event: string }> = await queryRunner.query(`
      SELECT s.stream, u.event FROM ${t.staging} s CROSS JOIN LATERAL unnest(s.events) WITH ORDINALITY AS u(event, ord)
      WHERE s.seq IS NOT NULL ORDER BY s.seq, s.id, u.ord`);
    const enabled: Array<{ schema_name: string; table_name: string; qualified: string; columns: string[] | null; operations: string[] }> =
      await queryRunner.query(`
        SELECT n.nspname AS schema_name, c.relname AS table_name, format('%I.%I', n.nspname, c.relname) AS qualified, r.columns, r.operations
        FROM ${t.registry} r JOIN pg_class c ON c.oid = r.relid JOIN pg_namespace n ON n.oid = c.relnamespace`);
    for (const table of enabled) {
      for (const name of FIRST_DESIGN_TRIGGERS) await queryRunner.query(`DROP TRIGGER IF EXISTS ${name} ON ${table.qualified}`);
    }
    await queryRunner.query(`DROP TABLE ${t.staging}`);
    const prefix = schema ? `${quoteIdentifier(schema)}.` : '';
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${prefix}firehose_change_precommit()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.relayFunction}(text, integer, integer, boolean)`);

    await new CreateChangeFeedFunctions1732340000000().up(queryRunner);
    if (staged.length > 0) {
      await queryRunner.query(
        `INSERT INTO ${t.staging} (seq, stream, event)
         SELECT nextval(${t.commitSequenceLiteral}), s, e
         FROM (SELECT s, e FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(s, e, k) ORDER BY k) staged`,
        [staged.map((row) => row.stream), staged.map((row) => row.event)],
      );
    }
    for (const table of enabled) {
      await queryRunner.query(`SELECT ${t.enableFunction}($1, $2, $3::text[], $4::text[], true)`, [
        table.schema_name,
        table.table_name,
        table.columns,
        table.operations,
      ]);
    }
  }

  /** The current design stays: CreateChangeFeedFunctions1732340000000's down removes it. */
  async down(): Promise<void> {}
}
