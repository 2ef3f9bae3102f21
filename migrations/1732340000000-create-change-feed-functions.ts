import type { MigrationInterface, QueryRunner } from 'typeorm';
import { MIGRATION_LOCK_KEY } from '../lib/firehose.constants.js';
import {
  CHANGE_BARRIER_LOCK_CLASS,
  CHANGE_BARRIER_STRIPES,
  CHANGE_BARRIER_TIMEOUT,
  CHANGE_RELAY_LOCK_KEY,
  CHANGE_STAGING_CHUNK,
} from '../lib/change-feed/change-feed.constants.js';
import { changeFeedTables } from '../lib/change-feed/change-feed-tables.js';
import { firehoseTables, quoteIdentifier } from '../lib/store/firehose-tables.js';

const TRIGGERS = ['firehose_change_feed_insert', 'firehose_change_feed_update', 'firehose_change_feed_delete'];

/**
 * Table change feeds. Writers never touch the log: a statement trigger stages each statement's row
 * events (one row per chunk, so a bulk UPDATE is one INSERT), and a deferred trigger numbers the
 * staged rows just before commit. A relay in the app then appends committed changes to the log with
 * firehose_append, in that order. Writers therefore take neither the log's ordering lock nor
 * NOTIFY's commit lock, both of which serialize commits through the WAL flush (about a fifth of the
 * plain insert rate at 16 writers, measured). Idempotent, like the core migration.
 */
export class CreateChangeFeedFunctions1732340000000 implements MigrationInterface {
  name = 'CreateChangeFeedFunctions1732340000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = (queryRunner.connection.options as { schema?: string }).schema;
    const f = firehoseTables(schema);
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
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${t.staging} (
        id bigserial PRIMARY KEY,
        seq bigint,
        stream text NOT NULL,
        events text[] NOT NULL,
        n integer NOT NULL
      )`);
    // A queue table: rows live for milliseconds. The relay reads it by this index (partial, so the
    // insert adds no entry and the commit-time UPDATE adds one); a sequential scan would walk every
    // dead row left since the last vacuum, which is cheap only right after one. Vacuum it often.
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS firehose_change_staging_seq ON ${t.staging} (seq, id) WHERE seq IS NOT NULL`);
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

    // One call per statement. Transition tables hold the statement's rows; for UPDATE, the old and
    // new tables are filled in lockstep, so their scan positions pair each old row with its new one.
    // A statement of at most one chunk (nearly all) takes the short path: no numbering, no grouping.
    const rowJson = (alias: string) =>
      `CASE WHEN v_cols IS NULL THEN row_to_json(${alias})::text ELSE ` +
      `(SELECT json_object_agg(j.key, j.value)::text FROM json_each(row_to_json(${alias})) j WHERE j.key = ANY(v_cols)) END`;
    const chunked = (event: string, from: string, ord: string) => `
          INSERT INTO ${t.staging} (stream, events, n)
          SELECT v_stream, array_agg(${event} ORDER BY ${ord}), count(*)
          FROM ${from}
          GROUP BY (${ord} - 1) / ${CHANGE_STAGING_CHUNK} ORDER BY (${ord} - 1) / ${CHANGE_STAGING_CHUNK};`;
    const single = (event: string, from: string) => `
          INSERT INTO ${t.staging} (stream, events, n)
          SELECT v_stream, array_agg(${event}), count(*) FROM ${from};`;
    const pairs = `(SELECT row_number() OVER () AS ord, ${rowJson('r')} AS rec FROM firehose_new r) nw
          JOIN (SELECT row_number() OVER () AS ord, ${rowJson('r')} AS rec FROM firehose_old r) od ON od.ord = nw.ord`;
    const updateEvent = `v_head || ',"record":' || nw.rec || ',"old_record":' || od.rec || '}'`;
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${t.captureFunction}() RETURNS trigger
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_cols text[];
        v_stream text;
        v_head text;
        v_n bigint;
      BEGIN
        IF TG_OP = 'DELETE' THEN
          SELECT count(*) INTO v_n FROM firehose_old;
        ELSE
          SELECT count(*) INTO v_n FROM firehose_new;
        END IF;
        IF v_n = 0 THEN RETURN NULL; END IF;
        IF TG_NARGS > 0 THEN v_cols := TG_ARGV[0]::text[]; END IF;
        v_stream := 'table:' || TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME;
        v_head := '{"type":"' || TG_OP || '","schema":' || to_json(TG_TABLE_SCHEMA::text)::text ||
                  ',"table":' || to_json(TG_TABLE_NAME::text)::text;
        IF TG_OP = 'INSERT' AND v_n <= ${CHANGE_STAGING_CHUNK} THEN
          ${single(`v_head || ',"record":' || ${rowJson('r')} || '}'`, 'firehose_new r')}
        ELSIF TG_OP = 'INSERT' THEN
          ${chunked(`v_head || ',"record":' || x.rec || '}'`, `(SELECT row_number() OVER () AS ord, ${rowJson('r')} AS rec FROM firehose_new r) x`, 'x.ord')}
        ELSIF TG_OP = 'DELETE' AND v_n <= ${CHANGE_STAGING_CHUNK} THEN
          ${single(`v_head || ',"old_record":' || ${rowJson('r')} || '}'`, 'firehose_old r')}
        ELSIF TG_OP = 'DELETE' THEN
          ${chunked(`v_head || ',"old_record":' || x.rec || '}'`, `(SELECT row_number() OVER () AS ord, ${rowJson('r')} AS rec FROM firehose_old r) x`, 'x.ord')}
        ELSIF v_n <= ${CHANGE_STAGING_CHUNK} THEN
          ${single(`${updateEvent} ORDER BY nw.ord`, pairs)}
        ELSE
          ${chunked(updateEvent, pairs, 'nw.ord')}
        END IF;
        RETURN NULL;
      END
      $fn$`);

    // Runs once per staged row just before the writer commits (deferred), so the commit sequence
    // follows commit order: a transaction that waited on another's row lock numbers its changes
    // after that one committed. The writer's own barrier lock, taken before the number and held to
    // commit, lets the relay wait until every number it has seen is settled.
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${t.precommitFunction}() RETURNS trigger
      LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(${CHANGE_BARRIER_LOCK_CLASS}, pg_backend_pid() % ${CHANGE_BARRIER_STRIPES});
        UPDATE ${t.staging} SET seq = nextval(${t.commitSequenceLiteral}) WHERE id = NEW.id;
        -- Only an idle relay wants a wake-up: a NOTIFY serializes commits cluster-wide.
        IF (SELECT last_value FROM ${t.armedSequence}) > 0 THEN
          PERFORM pg_notify(r.channel, '') FROM ${t.relays} r;
        END IF;
        RETURN NULL;
      END
      $fn$`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS firehose_change_precommit ON ${t.staging}`);
    await queryRunner.query(`
      CREATE CONSTRAINT TRIGGER firehose_change_precommit AFTER INSERT ON ${t.staging}
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${t.precommitFunction}()`);

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
    // A scalar subquery in index order, so the planner walks the partial index rather than every
    // dead row of the table (EXISTS would drop the ORDER BY and LIMIT and scan the heap).
    const anyStaged = `(SELECT seq FROM ${t.staging} WHERE seq IS NOT NULL ORDER BY seq, id LIMIT 1) IS NOT NULL`;
    const barrier = (onTimeout: string) => `IF NOT ${t.barrierFunction}() THEN ${onTimeout} END IF;`;

    // One relay step, one transaction: every staged row numbered at most the commit sequence's
    // value before the barrier is settled after it, so rows are taken in number order with no gap.
    // With nothing to do it answers 'empty', or with p_arm asks writers for a NOTIFY ('idle').
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${t.relayFunction}(p_channel text, p_notify_max_bytes integer, p_max_events integer, p_arm boolean)
      RETURNS TABLE (status text, appended integer, channel_ids integer[])
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_high bigint;
        v_ids bigint[];
        v_streams text[];
        v_data text[];
      BEGIN
        appended := 0;
        IF NOT pg_try_advisory_xact_lock(${CHANGE_RELAY_LOCK_KEY}) THEN
          status := 'busy'; RETURN NEXT; RETURN;
        END IF;
        -- Committed staged rows always have their number; rows still in flight are invisible.
        IF NOT ${anyStaged} THEN
          IF NOT p_arm THEN
            status := 'empty'; RETURN NEXT; RETURN;
          END IF;
          -- Ask writers for a NOTIFY, then look once more. A writer that read the flag before it
          -- was set is still inside the barrier, so its rows are visible after it.
          PERFORM setval(${t.armedSequenceLiteral}, 1);
          ${barrier(`status := 'more'; RETURN NEXT; RETURN;`)}
          status := CASE WHEN ${anyStaged} THEN 'more' ELSE 'idle' END;
          RETURN NEXT; RETURN;
        END IF;
        IF (SELECT last_value FROM ${t.armedSequence}) > 0 THEN
          PERFORM setval(${t.armedSequenceLiteral}, 0);
        END IF;
        SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END INTO v_high FROM ${t.commitSequence} s;
        ${barrier(`status := 'busy'; RETURN NEXT; RETURN;`)}
        SELECT array_agg(w.id ORDER BY w.seq, w.id) INTO v_ids
        FROM (
          SELECT s.id, s.seq, sum(s.n) OVER (ORDER BY s.seq, s.id) - s.n AS before
          FROM (SELECT id, seq, n FROM ${t.staging} WHERE seq <= v_high ORDER BY seq, id LIMIT p_max_events) s
        ) w
        WHERE w.before < p_max_events;
        IF v_ids IS NULL THEN
          status := 'empty'; RETURN NEXT; RETURN;
        END IF;
        SELECT array_agg(s.stream ORDER BY s.seq, s.id, u.ord), array_agg(u.e ORDER BY s.seq, s.id, u.ord)
          INTO v_streams, v_data
        FROM ${t.staging} s CROSS JOIN LATERAL unnest(s.events) WITH ORDINALITY AS u(e, ord)
        WHERE s.id = ANY(v_ids);
        DELETE FROM ${t.staging} WHERE id = ANY(v_ids);
        SELECT count(*)::integer, array_agg(DISTINCT a.channel_id) INTO appended, channel_ids
        FROM ${f.appendFunction}(v_streams, v_data, p_channel, p_notify_max_bytes) a;
        status := CASE WHEN ${anyStaged} THEN 'more' ELSE 'done' END;
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
        ${TRIGGERS.map((name) => `EXECUTE format('DROP TRIGGER IF EXISTS ${name} ON %s', v_qualified);`).join('\n        ')}
        IF 'INSERT' = ANY(v_ops) THEN
          EXECUTE format('CREATE TRIGGER ${TRIGGERS[0]} AFTER INSERT ON %s REFERENCING NEW TABLE AS firehose_new FOR EACH STATEMENT EXECUTE FUNCTION ${t.captureFunction}(%s)', v_qualified, v_args);
        END IF;
        IF 'UPDATE' = ANY(v_ops) THEN
          EXECUTE format('CREATE TRIGGER ${TRIGGERS[1]} AFTER UPDATE ON %s REFERENCING OLD TABLE AS firehose_old NEW TABLE AS firehose_new FOR EACH STATEMENT EXECUTE FUNCTION ${t.captureFunction}(%s)', v_qualified, v_args);
        END IF;
        IF 'DELETE' = ANY(v_ops) THEN
          EXECUTE format('CREATE TRIGGER ${TRIGGERS[2]} AFTER DELETE ON %s REFERENCING OLD TABLE AS firehose_old FOR EACH STATEMENT EXECUTE FUNCTION ${t.captureFunction}(%s)', v_qualified, v_args);
        END IF;
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
        ${TRIGGERS.map((name) => `EXECUTE format('DROP TRIGGER IF EXISTS ${name} ON %s', v_qualified);`).join('\n        ')}
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
    const enabled: Array<{ qualified: string }> = await queryRunner.query(
      `SELECT format('%I.%I', n.nspname, c.relname) AS qualified
       FROM ${t.registry} r JOIN pg_class c ON c.oid = r.relid JOIN pg_namespace n ON n.oid = c.relnamespace`,
    ).catch(() => []);
    for (const { qualified } of enabled) {
      for (const name of TRIGGERS) await queryRunner.query(`DROP TRIGGER IF EXISTS ${name} ON ${qualified}`);
    }
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.listFunction}()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.disableFunction}(text, text)`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.enableFunction}(text, text, text[], text[], boolean)`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.relayFunction}(text, integer, integer, boolean)`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${t.staging}`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.precommitFunction}()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.barrierFunction}()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.captureFunction}()`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${t.relays}`);
    await queryRunner.query(`DROP SEQUENCE IF EXISTS ${t.armedSequence}`);
    await queryRunner.query(`DROP SEQUENCE IF EXISTS ${t.commitSequence}`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${t.registry}`);
  }
}
