import type { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen copies of what this migration's SQL is built from, as it shipped: a migration must produce
// the same SQL for as long as databases may run it, whatever lib/ later does with its own copies.
// lib/ queries these objects at runtime, so a unit test checks that its copies still agree.

/** Transaction lock of firehose_append: held to commit, it makes message ids commit-ordered. */
export const APPEND_LOCK_KEY = 7_236_351_991;
/** Serializes processes that apply the module's migrations at the same time. */
export const MIGRATION_LOCK_KEY = 7_236_351_990;

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Qualified names of the core's objects in the DataSource's `schema`. */
export function firehoseTables(schema?: string) {
  const prefix = schema ? `${quoteIdentifier(schema)}.` : '';
  return {
    channels: `${prefix}firehose_channels`,
    messages: `${prefix}firehose_messages`,
    appendFunction: `${prefix}firehose_append`,
  };
}

/**
 * Tables and functions of the Firehose log. Idempotent, so it is safe both in the app's own
 * migration list and through the module's `migrationsRun` option.
 */
export class CreateFirehoseTables1732320000000 implements MigrationInterface {
  name = 'CreateFirehoseTables1732320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = (queryRunner.connection.options as { schema?: string }).schema;
    const t = firehoseTables(schema);
    await queryRunner.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    if (schema) await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${t.channels} (
        id serial PRIMARY KEY,
        name varchar(255) NOT NULL UNIQUE,
        sequence bigint NOT NULL DEFAULT 0,
        pruned_id bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${t.messages} (
        id bigserial PRIMARY KEY,
        channel_id integer NOT NULL,
        sequence bigint NOT NULL,
        data json NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The only secondary index: replay, catch-up and cleanup all walk a channel by id. No foreign
    // key and no (channel_id, sequence) unique index: firehose_append creates the channel row before
    // its messages and numbers them under that row's lock, and each extra per-row check cost about a
    // fifth of a batch's time (npm run bench -- broadcast).
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS firehose_messages_channel_id_id ON ${t.messages} (channel_id, id)`);
    // One round trip per batch. The advisory lock, held to commit, makes ids commit-ordered across
    // all writers, so `id > cursor` never skips a row that commits late. The channel upsert assigns
    // each stream a contiguous range of sequences under the stream row's lock; a rollback undoes it.
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${t.appendFunction}(
        p_streams text[], p_data text[], p_channel text, p_notify_max_bytes integer
      ) RETURNS TABLE (id bigint, stream text, sequence bigint, channel_id integer)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        r record;
        v_event text;
        v_chunk text;
      BEGIN
        PERFORM pg_advisory_xact_lock(${APPEND_LOCK_KEY});
        -- A lone event (every broadcast at low load) skips the batch query's unnest, grouping and
        -- window: a third less work in PostgreSQL for the same rows, numbers and notification.
        IF cardinality(p_streams) = 1 THEN
          INSERT INTO ${t.channels} AS c (name, sequence) VALUES (p_streams[1], 1)
          ON CONFLICT (name) DO UPDATE SET sequence = c.sequence + 1, updated_at = now()
          RETURNING c.id, c.sequence INTO channel_id, sequence;
          INSERT INTO ${t.messages} AS m (channel_id, sequence, data) VALUES (channel_id, sequence, p_data[1]::json)
          RETURNING m.id INTO id;
          stream := p_streams[1];
          v_event := '{"id":' || id || ',"stream":' || to_json(stream)::text ||
                     ',"sequence":' || sequence || ',"channel_id":' || channel_id;
          IF octet_length(v_event) + octet_length(p_data[1]) + 11 <= p_notify_max_bytes THEN
            v_event := v_event || ',"data":' || p_data[1] || '}';
          ELSE
            v_event := v_event || ',"ref":1}';
          END IF;
          PERFORM pg_notify(p_channel, '[' || v_event || ']');
          RETURN NEXT;
          RETURN;
        END IF;
        FOR r IN
          WITH input AS (
            SELECT s AS name, d AS data, o AS ord
            FROM unnest(p_streams, p_data) WITH ORDINALITY AS u(s, d, o)
          ), counts AS (
            SELECT name, count(*) AS n FROM input GROUP BY name ORDER BY name
          ), ch AS (
            INSERT INTO ${t.channels} AS c (name, sequence)
            SELECT name, n FROM counts
            ON CONFLICT (name) DO UPDATE SET sequence = c.sequence + EXCLUDED.sequence, updated_at = now()
            RETURNING c.id, c.name, c.sequence
          ), numbered AS (
            SELECT i.ord, i.data, i.name, ch.id AS cid,
                   ch.sequence - counts.n + row_number() OVER (PARTITION BY i.name ORDER BY i.ord) AS seq
            FROM input i JOIN ch ON ch.name = i.name JOIN counts ON counts.name = i.name
          ), ins AS (
            INSERT INTO ${t.messages} (channel_id, sequence, data)
            SELECT cid, seq, data::json FROM numbered ORDER BY ord
            RETURNING id, channel_id, sequence, data
          )
          -- The stream's name from its channel row (one per stream) and the data as inserted (json
          -- keeps its input text): joining back to every input row cost a fifth of a large batch.
          SELECT ins.id, ch.name, ins.sequence, ins.channel_id, ins.data::text AS data
          FROM ins JOIN ch ON ch.id = ins.channel_id
          ORDER BY ins.id
        LOOP
          v_event := '{"id":' || r.id || ',"stream":' || to_json(r.name)::text ||
                     ',"sequence":' || r.sequence || ',"channel_id":' || r.channel_id;
          -- Inline when the event fits a notification on its own (with the array's brackets).
          IF octet_length(v_event) + octet_length(r.data) + 11 <= p_notify_max_bytes THEN
            v_event := v_event || ',"data":' || r.data || '}';
          ELSE
            v_event := v_event || ',"ref":1}';
          END IF;
          -- Events are packed, in id order, into as few notifications as fit the byte limit: each
          -- NOTIFY wakes every listening backend in the cluster, so fewer of them is cheaper for all.
          IF v_chunk IS NOT NULL AND octet_length(v_chunk) + octet_length(v_event) + 2 > p_notify_max_bytes THEN
            PERFORM pg_notify(p_channel, v_chunk || ']');
            v_chunk := NULL;
          END IF;
          v_chunk := CASE WHEN v_chunk IS NULL THEN '[' || v_event ELSE v_chunk || ',' || v_event END;
          id := r.id; stream := r.name; sequence := r.sequence; channel_id := r.channel_id;
          RETURN NEXT;
        END LOOP;
        -- Each payload holds distinct ids, so Postgres never folds two of them together.
        IF v_chunk IS NOT NULL THEN
          PERFORM pg_notify(p_channel, v_chunk || ']');
        END IF;
      END
      $fn$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const t = firehoseTables((queryRunner.connection.options as { schema?: string }).schema);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.appendFunction}(text[], text[], text, integer)`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${t.messages}`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${t.channels}`);
  }
}
