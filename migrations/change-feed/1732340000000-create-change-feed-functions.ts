import type { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen copies of what this migration's SQL is built from, as it shipped: a migration must produce
// the same SQL for as long as databases may run it, whatever lib/ later does with its own copies.
// lib/ queries these objects at runtime, so a unit test checks that its copies still agree.

/** Serializes processes that apply the module's migrations at the same time. */
export const MIGRATION_LOCK_KEY = 7_236_351_990;
/** Class (first key) of the striped advisory locks writers hold shared from numbering to commit. */
export const CHANGE_BARRIER_LOCK_CLASS = 723_635_199;
export const CHANGE_BARRIER_STRIPES = 64;
/** How long the barrier waits on one stripe before the relay step gives up and retries later. */
export const CHANGE_BARRIER_TIMEOUT = '200ms';
/** Transaction lock of the relay function: one relay at a time moves changes into the log. */
export const CHANGE_RELAY_LOCK_KEY = 7_236_351_993;
/** The trigger put on every table with a feed. */
export const CHANGE_FEED_TRIGGER = 'firehose_change_feed';

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The core's append function, which the relay calls. */
export function firehoseAppendFunction(schema?: string): string {
  return `${schema ? `${quoteIdentifier(schema)}.` : ''}firehose_append`;
}

/** Qualified names of the change-feed objects in the DataSource's `schema`. */
export function changeFeedTables(schema?: string) {
  const prefix = schema ? `${quoteIdentifier(schema)}.` : '';
  const literal = (name: string) => `'${(prefix + name).replace(/'/g, "''")}'`;
  return {
    registry: `${prefix}firehose_change_feed_tables`,
    staging: `${prefix}firehose_change_staging`,
    commitSequence: `${prefix}firehose_change_commit_seq`,
    armedSequence: `${prefix}firehose_change_armed`,
    relays: `${prefix}firehose_change_relays`,
    captureFunction: `${prefix}firehose_change_capture`,
    barrierFunction: `${prefix}firehose_change_barrier`,
    relayFunction: `${prefix}firehose_change_relay`,
    enableFunction: `${prefix}firehose_enable_change_feed`,
    disableFunction: `${prefix}firehose_disable_change_feed`,
    listFunction: `${prefix}firehose_list_change_feeds`,
    commitSequenceLiteral: literal('firehose_change_commit_seq'),
    armedSequenceLiteral: literal('firehose_change_armed'),
  };
}

/**
 * Table change feeds. Writers never touch the log: a deferred row trigger stages each row change
 * just before its transaction commits, numbered from a sequence at that moment, so the numbers
 * follow commit order (a transaction that waited on another's row lock numbers its changes after
 * that one committed). A relay in the app then appends committed changes to the log with
 * firehose_append, in that order. Writers therefore take neither the log's ordering lock nor
 * NOTIFY's commit lock, both of which serialize commits through the WAL flush (about a fifth of the
 * plain insert rate at 16 writers, measured). Idempotent, like the core migration.
 */
export class CreateChangeFeedFunctions1732340000000 implements MigrationInterface {
  name = 'CreateChangeFeedFunctions1732340000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = (queryRunner.connection.options as { schema?: string }).schema;
    const t = changeFeedTables(schema);
    await queryRunner.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    if (schema) await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${t.registry} (
        relid oid PRIMARY KEY,
        columns text[],
        operations text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A queue table: rows live for milliseconds, so it is vacuumed often. One row per row change
    // and one index: every extra column or index here is paid on each write to a feed table.
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${t.staging} (
        seq bigint PRIMARY KEY,
        stream text NOT NULL,
        event text NOT NULL
      )`);
    await queryRunner.query(
      `ALTER TABLE ${t.staging} SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_cost_delay = 0)`,
    );
    await queryRunner.query(`CREATE SEQUENCE IF NOT EXISTS ${t.commitSequence}`);
    await queryRunner.query(`CREATE SEQUENCE IF NOT EXISTS ${t.armedSequence} MINVALUE 0 START 0`);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${t.relays} (
        channel text PRIMARY KEY,
        seen_at timestamptz NOT NULL DEFAULT now()
      )`);

    // One call per changed row, deferred to just before commit: NEW and OLD are the row as that
    // statement left it. The event is built by PL/pgSQL assignments, which PostgreSQL evaluates as
    // plain expressions, not inside the INSERT: a query that takes NEW or holds subqueries (the
    // column selection) pays executor start-up for them on every call, and that doubled the
    // trigger's cost per row (measured). The barrier lock is taken before the number, and the armed
    // flag read while holding it, so a relay that arms itself either waits for this writer in its
    // barrier or is woken by it.
    const selected = (row: string) =>
      `(SELECT json_object_agg(j.key, j.value) FROM json_each(row_to_json(${row})) j WHERE j.key = ANY(TG_ARGV[0]::text[]))::text`;
    const event = (record: string, oldRecord: string) =>
      `'{"type":"' || TG_OP || '","schema":' || to_json(TG_TABLE_SCHEMA::text)::text || ',"table":' || to_json(TG_TABLE_NAME::text)::text || ` +
      `CASE WHEN TG_OP = 'DELETE' THEN '' ELSE ',"record":' || ${record} END || ` +
      `CASE WHEN TG_OP = 'INSERT' THEN '' ELSE ',"old_record":' || ${oldRecord} END || '}'`;
    const stripe = `${CHANGE_BARRIER_LOCK_CLASS}, pg_backend_pid() % ${CHANGE_BARRIER_STRIPES}`;
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${t.captureFunction}() RETURNS trigger
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_event text;
      BEGIN
        IF TG_NARGS = 0 THEN
          v_event := ${event('row_to_json(NEW)::text', 'row_to_json(OLD)::text')};
        ELSE
          v_event := ${event(selected('NEW'), selected('OLD'))};
        END IF;
        -- The shared lock only waits while a relay takes this stripe for an instant.
        IF NOT pg_try_advisory_xact_lock_shared(${stripe}) THEN
          PERFORM pg_advisory_xact_lock_shared(${stripe});
        END IF;
        INSERT INTO ${t.staging} (seq, stream, event)
        VALUES (nextval(${t.commitSequenceLiteral}), 'table:' || TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, v_event);
        -- Only an idle relay wants a wake-up: a NOTIFY serializes commits cluster-wide.
        IF pg_sequence_last_value(${t.armedSequenceLiteral}) > 0 THEN
          PERFORM pg_notify(r.channel, '') FROM ${t.relays} r;
        END IF;
        RETURN NULL;
      END
      $fn$`);

    // Waits until every writer that held its barrier lock when this started has committed or
    // rolled back, one stripe at a time. While the relay waits on a stripe, only writers of that
    // stripe queue behind it (one relay lock for all would hold up every writer for a commit
    // flush; finding holders in pg_locks stalls every lock acquisition in the cluster while it
    // reads). False when a stripe takes longer than the timeout.
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${t.barrierFunction}() RETURNS boolean
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_lock_timeout text := current_setting('lock_timeout');
        v_busy integer[] := '{}';
        k integer;
      BEGIN
        -- A stripe free now holds no writer that took its number before this call; wait only on
        -- the busy ones, so writers that arrive meanwhile on free stripes are not waited for.
        FOR k IN 0..${CHANGE_BARRIER_STRIPES - 1} LOOP
          IF pg_try_advisory_lock(${CHANGE_BARRIER_LOCK_CLASS}, k) THEN
            PERFORM pg_advisory_unlock(${CHANGE_BARRIER_LOCK_CLASS}, k);
          ELSE
            v_busy := v_busy || k;
          END IF;
        END LOOP;
        PERFORM set_config('lock_timeout', '${CHANGE_BARRIER_TIMEOUT}', true);
        FOREACH k IN ARRAY v_busy LOOP
          PERFORM pg_advisory_lock(${CHANGE_BARRIER_LOCK_CLASS}, k);
          PERFORM pg_advisory_unlock(${CHANGE_BARRIER_LOCK_CLASS}, k);
        END LOOP;
        PERFORM set_config('lock_timeout', v_lock_timeout, true);
        RETURN true;
      EXCEPTION WHEN lock_not_available THEN
        RETURN false;
      END
      $fn$`);
    // The staging table goes from empty to thousands of dead rows between vacuums (autovacuum looks
    // once a minute), so two things keep a step from reading them: its statements are planned
    // afresh each time (EXECUTE), on the table's current size, where a plan cached while the table
    // was small scans it whole; and they start after p_after, the last number the caller's relay
    // took, where every row below is gone, instead of walking the index's dead entries from the
    // start. Both were most of the relay's time (measured). A stale p_after is only slower.
    // The staging table's name inside the EXECUTEd string literals.
    const staging = t.staging.replace(/'/g, "''");
    const checkStaged = `EXECUTE 'SELECT (SELECT seq FROM ${staging} WHERE seq > $1 ORDER BY seq LIMIT 1) IS NOT NULL' INTO v_any USING p_after;`;
    const barrier = (onTimeout: string) => `IF NOT ${t.barrierFunction}() THEN ${onTimeout} END IF;`;

    // One relay step, one transaction: every staged row numbered at most the commit sequence's
    // value before the barrier is settled after it, so rows are taken in number order with no gap.
    // With nothing to do it answers 'empty', or with p_arm asks writers for a NOTIFY ('idle').
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${t.relayFunction}(p_channel text, p_notify_max_bytes integer, p_max_events integer, p_arm boolean, p_after bigint)
      RETURNS TABLE (status text, appended integer, channel_ids integer[], last_seq bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_high bigint;
        v_any boolean;
        v_streams text[];
        v_data text[];
      BEGIN
        appended := 0;
        last_seq := p_after;
        IF NOT pg_try_advisory_xact_lock(${CHANGE_RELAY_LOCK_KEY}) THEN
          status := 'busy'; RETURN NEXT; RETURN;
        END IF;
        -- Staged rows are committed ones; rows still in flight are invisible.
        ${checkStaged}
        IF NOT v_any THEN
          IF NOT p_arm THEN
            status := 'empty'; RETURN NEXT; RETURN;
          END IF;
          -- Ask writers for a NOTIFY, then look once more. A writer that read the flag before it
          -- was set is still inside the barrier, so its rows are visible after it.
          PERFORM setval(${t.armedSequenceLiteral}, 1);
          ${barrier(`status := 'more'; RETURN NEXT; RETURN;`)}
          ${checkStaged}
          status := CASE WHEN v_any THEN 'more' ELSE 'idle' END;
          RETURN NEXT; RETURN;
        END IF;
        IF (SELECT last_value FROM ${t.armedSequence}) > 0 THEN
          PERFORM setval(${t.armedSequenceLiteral}, 0);
        END IF;
        SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END INTO v_high FROM ${t.commitSequence} s;
        ${barrier(`status := 'busy'; RETURN NEXT; RETURN;`)}
        -- Staged rows are committed (the rest are invisible) and those numbered up to v_high are
        -- all settled, so taking them in number order leaves no gap behind.
        EXECUTE 'WITH taken AS (
            DELETE FROM ${staging} WHERE seq IN (SELECT seq FROM ${staging} WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3)
            RETURNING seq, stream, event
          )
          SELECT array_agg(stream ORDER BY seq), array_agg(event ORDER BY seq), max(seq) FROM taken'
        INTO v_streams, v_data, last_seq USING p_after, v_high, p_max_events;
        IF v_streams IS NULL THEN
          last_seq := p_after;
          status := 'empty'; RETURN NEXT; RETURN;
        END IF;
        SELECT count(*)::integer, array_agg(DISTINCT a.channel_id) INTO appended, channel_ids
        FROM ${firehoseAppendFunction(schema)}(v_streams, v_data, p_channel, p_notify_max_bytes) a;
        ${checkStaged}
        status := CASE WHEN v_any THEN 'more' ELSE 'done' END;
        RETURN NEXT;
      END
      $fn$`);

    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${t.enableFunction}(
        p_schema text, p_table text, p_columns text[] DEFAULT NULL,
        p_operations text[] DEFAULT ARRAY['INSERT', 'UPDATE', 'DELETE'], p_replace boolean DEFAULT false
      ) RETURNS text
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_rel oid;
        v_qualified text;
        v_ops text[];
        v_bad text[];
        v_args text := '';
      BEGIN
        SELECT c.oid, format('%I.%I', n.nspname, c.relname) INTO v_rel, v_qualified
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = p_schema AND c.relname = p_table AND c.relkind IN ('r', 'p');
        IF v_rel IS NULL THEN
          RAISE EXCEPTION 'Cannot enable a change feed on %.%: no such table.', p_schema, p_table
            USING ERRCODE = 'undefined_table',
                  HINT = 'Pass the schema and table names as they are stored, unquoted and case-sensitive (''public'', ''Order Items'').';
        END IF;
        -- The stream name table:<schema>.<table> must name one table only, and be a valid stream name.
        IF position('.' in p_schema) > 0 THEN
          RAISE EXCEPTION 'Cannot enable a change feed on %.%: a schema name with a dot would make the stream name table:%.% ambiguous.', p_schema, p_table, p_schema, p_table
            USING ERRCODE = 'invalid_name';
        END IF;
        IF p_schema ~ '[[:cntrl:]]' OR p_table ~ '[[:cntrl:]]' THEN
          RAISE EXCEPTION 'Cannot enable a change feed on %.%: names with control characters make no valid stream name.', p_schema, p_table
            USING ERRCODE = 'invalid_name';
        END IF;
        SELECT array_agg(DISTINCT o) INTO v_bad FROM unnest(p_operations) o WHERE o IS NULL OR upper(o) NOT IN ('INSERT', 'UPDATE', 'DELETE');
        SELECT array_agg(o ORDER BY k) INTO v_ops FROM unnest(ARRAY['INSERT', 'UPDATE', 'DELETE']) WITH ORDINALITY AS u(o, k)
        WHERE o IN (SELECT upper(x) FROM unnest(p_operations) x);
        IF v_bad IS NOT NULL OR v_ops IS NULL THEN
          RAISE EXCEPTION 'Cannot enable a change feed on %.%: operations must be a non-empty subset of INSERT, UPDATE, DELETE, got %.', p_schema, p_table, p_operations
            USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_columns IS NOT NULL THEN
          SELECT array_agg(c) INTO v_bad FROM unnest(p_columns) c
          WHERE c IS NULL OR NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = v_rel AND a.attname = c AND a.attnum > 0 AND NOT a.attisdropped);
          IF v_bad IS NOT NULL OR cardinality(p_columns) = 0 THEN
            RAISE EXCEPTION 'Cannot enable a change feed on %.%: columns % do not exist in the table.', p_schema, p_table, coalesce(v_bad::text, '{}')
              USING ERRCODE = 'undefined_column', HINT = 'List at least one column, by its exact (case-sensitive) name, or leave columns out to send every column.';
          END IF;
          v_args := quote_literal(p_columns::text);
        END IF;
        -- Rows of tables that were dropped (their triggers went with them) are stale.
        DELETE FROM ${t.registry} r WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = r.relid);
        IF EXISTS (SELECT 1 FROM ${t.registry} WHERE relid = v_rel) THEN
          IF NOT p_replace THEN
            RAISE EXCEPTION 'The change feed on %.% is already enabled.', p_schema, p_table
              USING ERRCODE = 'duplicate_object',
                    HINT = 'Disable it first, or enable it with replace (SQL: p_replace => true) to change its options.';
          END IF;
          DELETE FROM ${t.registry} WHERE relid = v_rel;
        END IF;
        EXECUTE format('DROP TRIGGER IF EXISTS ${CHANGE_FEED_TRIGGER} ON %s', v_qualified);
        -- Deferred to commit, so changes are numbered in commit order (see the capture function).
        EXECUTE format('CREATE CONSTRAINT TRIGGER ${CHANGE_FEED_TRIGGER} AFTER %s ON %s DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${t.captureFunction}(%s)',
          array_to_string(v_ops, ' OR '), v_qualified, v_args);
        INSERT INTO ${t.registry} (relid, columns, operations) VALUES (v_rel, p_columns, v_ops);
        RETURN 'table:' || p_schema || '.' || p_table;
      END
      $fn$`);

    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${t.disableFunction}(p_schema text, p_table text) RETURNS void
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_rel oid;
        v_qualified text;
      BEGIN
        SELECT c.oid, format('%I.%I', n.nspname, c.relname) INTO v_rel, v_qualified
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = p_schema AND c.relname = p_table;
        IF v_rel IS NULL OR NOT EXISTS (SELECT 1 FROM ${t.registry} WHERE relid = v_rel) THEN
          RAISE EXCEPTION 'No change feed is enabled on %.%.', p_schema, p_table
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT * FROM firehose_list_change_feeds() lists the enabled tables; names are case-sensitive and unquoted.';
        END IF;
        EXECUTE format('DROP TRIGGER IF EXISTS ${CHANGE_FEED_TRIGGER} ON %s', v_qualified);
        DELETE FROM ${t.registry} WHERE relid = v_rel;
      END
      $fn$`);

    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${t.listFunction}()
      RETURNS TABLE (schema_name text, table_name text, stream text, columns text[], operations text[])
      LANGUAGE sql STABLE AS $fn$
        SELECT n.nspname::text, c.relname::text, 'table:' || n.nspname || '.' || c.relname, r.columns, r.operations
        FROM ${t.registry} r JOIN pg_class c ON c.oid = r.relid JOIN pg_namespace n ON n.oid = c.relnamespace
        ORDER BY 1, 2
      $fn$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const t = changeFeedTables((queryRunner.connection.options as { schema?: string }).schema);
    const enabled: Array<{ qualified: string }> = await queryRunner
      .query(
        `SELECT format('%I.%I', n.nspname, c.relname) AS qualified
       FROM ${t.registry} r JOIN pg_class c ON c.oid = r.relid JOIN pg_namespace n ON n.oid = c.relnamespace`,
      )
      .catch(() => []);
    for (const { qualified } of enabled) {
      await queryRunner.query(`DROP TRIGGER IF EXISTS ${CHANGE_FEED_TRIGGER} ON ${qualified}`);
    }
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.listFunction}()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.disableFunction}(text, text)`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.enableFunction}(text, text, text[], text[], boolean)`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.relayFunction}(text, integer, integer, boolean, bigint)`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${t.staging}`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.barrierFunction}()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.captureFunction}()`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${t.relays}`);
    await queryRunner.query(`DROP SEQUENCE IF EXISTS ${t.armedSequence}`);
    await queryRunner.query(`DROP SEQUENCE IF EXISTS ${t.commitSequence}`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${t.registry}`);
  }
}
