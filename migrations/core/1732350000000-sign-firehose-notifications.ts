import type { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen copies, as in the first core migration: this SQL must stay what it was when it shipped.

/** Transaction lock of firehose_append: held to commit, it makes message ids commit-ordered. */
export const APPEND_LOCK_KEY = 7_236_351_991;
/** Serializes processes that apply the module's migrations at the same time. */
export const MIGRATION_LOCK_KEY = 7_236_351_990;
/** Characters of the signature in front of every signed payload: 16 bytes of HMAC-SHA256, base64, unpadded. */
export const NOTIFY_SIGNATURE_CHARS = 22;

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
    notifyKey: `${prefix}firehose_notify_key`,
  };
}

/** HMAC-SHA256 with a key's precomputed pads, cut to 16 bytes, as unpadded base64 (22 characters). */
function signature(innerPad: string, outerPad: string, payload: string): string {
  return `rtrim(encode(substring(sha256(${outerPad} || sha256(${innerPad} || convert_to(${payload}, 'UTF8'))) FROM 1 FOR 16), 'base64'), '=')`;
}

/**
 * Signs every NOTIFY of the event channel. Any role that can connect may NOTIFY on any channel, so
 * a payload alone proves nothing: this adds a key only the migrating role (and the roles it grants
 * to) can read, and firehose_append puts an HMAC of channel and payload in front of each payload,
 * which the listener checks before it believes a word. Idempotent; an existing key is kept.
 */
export class SignFirehoseNotifications1732350000000 implements MigrationInterface {
  name = 'SignFirehoseNotifications1732350000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = (queryRunner.connection.options as { schema?: string }).schema;
    const t = firehoseTables(schema);
    await queryRunner.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    // One row. The pads (key XOR 0x36…, key XOR 0x5c… over the 64-byte block) are stored so that
    // signing in SQL is two sha256() calls, with no pgcrypto and no per-call XOR.
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${t.notifyKey} (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        key bytea NOT NULL CHECK (octet_length(key) BETWEEN 16 AND 64),
        inner_pad bytea NOT NULL CHECK (octet_length(inner_pad) = 64),
        outer_pad bytea NOT NULL CHECK (octet_length(outer_pad) = 64),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Tables grant nothing to PUBLIC by default; revoked anyway, so a database whose default
    // privileges grant SELECT to every role still keeps the key to its owner.
    await queryRunner.query(`REVOKE ALL ON ${t.notifyKey} FROM PUBLIC`);
    // Generated inside PostgreSQL, so it never passes through a log of query parameters. Each
    // gen_random_uuid() holds 122 bits from pg_strong_random(): 244 random bits in 32 bytes.
    const pad = (byte: number) =>
      `(SELECT decode(string_agg(lpad(to_hex(CASE WHEN i < octet_length(k.key) THEN get_byte(k.key, i) ELSE 0 END # ${byte}), 2, '0'), '' ORDER BY i), 'hex') FROM generate_series(0, 63) i)`;
    await queryRunner.query(`
      INSERT INTO ${t.notifyKey} (key, inner_pad, outer_pad)
      SELECT k.key, ${pad(0x36)}, ${pad(0x5c)}
      FROM (SELECT decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex') AS key) k
      ON CONFLICT (singleton) DO NOTHING`);
    await queryRunner.query(appendFunctionSql(t));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const t = firehoseTables((queryRunner.connection.options as { schema?: string }).schema);
    await queryRunner.query(unsignedAppendFunctionSql(t));
    await queryRunner.query(`DROP TABLE IF EXISTS ${t.notifyKey}`);
  }
}

type Tables = ReturnType<typeof firehoseTables>;

/**
 * firehose_append as the first core migration made it, except that each payload is signed: the
 * notification limit leaves room for the signature, and the key's pads are read once per call.
 */
function appendFunctionSql(t: Tables): string {
  return appendFunction(t, {
    declare: `v_max integer := p_notify_max_bytes - ${NOTIFY_SIGNATURE_CHARS};
        v_inner bytea;
        v_outer bytea;
        v_body text;`,
    // Read before the lock is taken: no reason to hold up other writers for it. The channel is
    // signed too, so a payload copied from one channel is worthless on another (a queue's, or
    // another app's on the same key).
    begin: `SELECT k.inner_pad || convert_to(p_channel || ':', 'UTF8'), k.outer_pad INTO v_inner, v_outer FROM ${t.notifyKey} k;
        IF v_outer IS NULL THEN
          RAISE EXCEPTION 'The Firehose notification key is missing: % has no row.', '${t.notifyKey.replace(/'/g, "''")}'
            USING ERRCODE = 'no_data_found', HINT = 'Run the SignFirehoseNotifications1732350000000 migration again (it creates the key).';
        END IF;`,
    notify: (payload) => `v_body := ${payload};
          PERFORM pg_notify(p_channel, ${signature('v_inner', 'v_outer', 'v_body')} || v_body);`,
  });
}

/** The function as the first core migration created it, for `down`. */
function unsignedAppendFunctionSql(t: Tables): string {
  return appendFunction(t, {
    declare: 'v_max integer := p_notify_max_bytes;',
    begin: '',
    notify: (payload) => `PERFORM pg_notify(p_channel, ${payload});`,
  });
}

function appendFunction(t: Tables, parts: { declare: string; begin: string; notify: (payload: string) => string }): string {
  return `
      CREATE OR REPLACE FUNCTION ${t.appendFunction}(
        p_streams text[], p_data text[], p_channel text, p_notify_max_bytes integer
      ) RETURNS TABLE (id bigint, stream text, sequence bigint, channel_id integer)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        r record;
        v_event text;
        v_chunk text;
        ${parts.declare}
      BEGIN
        ${parts.begin}
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
          IF octet_length(v_event) + octet_length(p_data[1]) + 11 <= v_max THEN
            v_event := v_event || ',"data":' || p_data[1] || '}';
          ELSE
            v_event := v_event || ',"ref":1}';
          END IF;
          ${parts.notify(`'[' || v_event || ']'`)}
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
          SELECT ins.id, ch.name, ins.sequence, ins.channel_id, ins.data::text AS data
          FROM ins JOIN ch ON ch.id = ins.channel_id
          ORDER BY ins.id
        LOOP
          v_event := '{"id":' || r.id || ',"stream":' || to_json(r.name)::text ||
                     ',"sequence":' || r.sequence || ',"channel_id":' || r.channel_id;
          -- Inline when the event fits a notification on its own (with the array's brackets).
          IF octet_length(v_event) + octet_length(r.data) + 11 <= v_max THEN
            v_event := v_event || ',"data":' || r.data || '}';
          ELSE
            v_event := v_event || ',"ref":1}';
          END IF;
          -- Events are packed, in id order, into as few notifications as fit the byte limit, and
          -- each notification is signed once, however many events it holds.
          IF v_chunk IS NOT NULL AND octet_length(v_chunk) + octet_length(v_event) + 2 > v_max THEN
            ${parts.notify(`v_chunk || ']'`)}
            v_chunk := NULL;
          END IF;
          v_chunk := CASE WHEN v_chunk IS NULL THEN '[' || v_event ELSE v_chunk || ',' || v_event END;
          id := r.id; stream := r.name; sequence := r.sequence; channel_id := r.channel_id;
          RETURN NEXT;
        END LOOP;
        -- Each payload holds distinct ids, so Postgres never folds two of them together.
        IF v_chunk IS NOT NULL THEN
          ${parts.notify(`v_chunk || ']'`)}
        END IF;
      END
      $fn$`;
}
