import type { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen copies of what this migration needs, as they were when it was written: a migration's SQL
// must never change after it shipped, so it imports nothing from lib/. A unit test checks that
// lib's own copies still agree.

/** The advisory lock every Firehose migration takes, so concurrent boots apply them one at a time. */
export const MIGRATION_LOCK_KEY = 7_236_351_990;

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function durableStreamsTables(schema?: string) {
  const prefix = schema ? `${quoteIdentifier(schema)}.` : '';
  return {
    streams: `${prefix}firehose_ds_streams`,
    messages: `${prefix}firehose_ds_messages`,
    producers: `${prefix}firehose_ds_producers`,
    appendFunction: `${prefix}firehose_ds_append`,
  };
}

// RFC 9110 token characters, for the content types below (a bracket expression of POSIX regexes).
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]";
const LOWER_TOKEN = "[!#$%&'*+.^_`|~0-9a-z-]";
const CHARSET = "[a-z0-9][a-z0-9!#$%&'+^_`{}~.:-]{0,39}";
/** A content type as the module stores it: `type/subtype` lower-cased, at most a lower-cased charset. */
export const NORMALIZED_CONTENT_TYPE = `^${LOWER_TOKEN}+/${LOWER_TOKEN}+(; charset=${CHARSET})?$`;
const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Limits of Durable Streams appends, in the database:
 * - `firehose_ds_append` gains an 11th argument, the most bytes a stream may hold (null: no limit);
 *   an append past it is answered `stream_full`. The 10-argument function stays for processes not
 *   yet upgraded.
 * - Its expiry test compares a TTL in seconds instead of adding it to a timestamp, which overflowed
 *   for a huge `Stream-TTL` and failed every append on the stream (and its whole batch).
 * - Stored content types are normalized as the module now stores them (`type/subtype`, lower-cased,
 *   with at most `; charset=…`): the others keep their bare media type. Not undone by `down`.
 */
export class BoundDurableStreamsAppends1732361000000 implements MigrationInterface {
  name = 'BoundDurableStreamsAppends1732361000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = durableStreamsTables((queryRunner.connection.options as { schema?: string }).schema);
    await queryRunner.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    const normalized = quote(NORMALIZED_CONTENT_TYPE);
    const bare = quote(`^[ \t]*(${TOKEN}+/${TOKEN}+)`);
    await queryRunner.query(`
      UPDATE ${t.streams}
      SET content_type = coalesce(lower(substring(content_type FROM ${bare})), 'application/octet-stream')
      WHERE content_type !~ ${normalized}`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${t.appendFunction}(
        p_paths text[], p_data bytea[], p_ctypes text[], p_invalid text[], p_seqs text[],
        p_pids text[], p_epochs bigint[], p_pseqs bigint[], p_close boolean[], p_channel text,
        p_max_stream_bytes bigint
      ) RETURNS TABLE (ord integer, status text, stream_id bigint, tail bigint, closed boolean,
                       producer_epoch bigint, producer_seq bigint, expected_seq bigint)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_variable
      DECLARE
        i integer;
        s record;
        p record;
        v_len bigint;
        v_ctype text;
      BEGIN
        FOR i IN 1 .. coalesce(array_length(p_paths, 1), 0) LOOP
          ord := i; stream_id := NULL; tail := NULL; closed := NULL;
          producer_epoch := NULL; producer_seq := NULL; expected_seq := NULL;
          SELECT * INTO s FROM ${t.streams} st WHERE st.path = p_paths[i] FOR UPDATE;
          IF NOT FOUND OR (s.expires_at_ts IS NOT NULL AND now() >= s.expires_at_ts)
             OR (s.ttl_seconds IS NOT NULL AND extract(epoch FROM now()) - extract(epoch FROM s.accessed_at) >= s.ttl_seconds) THEN
            status := CASE WHEN FOUND AND s.soft_deleted THEN 'gone' ELSE 'not_found' END;
            RETURN NEXT; CONTINUE;
          END IF;
          stream_id := s.id; tail := s.tail; closed := s.closed;
          IF s.soft_deleted THEN status := 'gone'; RETURN NEXT; CONTINUE; END IF;
          IF s.closed THEN
            IF p_pids[i] IS NOT NULL AND s.closed_by_id = p_pids[i] AND s.closed_by_epoch = p_epochs[i]
               AND s.closed_by_seq = p_pseqs[i] THEN
              status := 'duplicate'; producer_epoch := p_epochs[i]; producer_seq := p_pseqs[i];
            ELSIF p_data[i] IS NULL AND p_pids[i] IS NULL THEN
              status := 'ok';
              UPDATE ${t.streams} st SET accessed_at = now() WHERE st.id = s.id;
            ELSE
              status := 'closed';
            END IF;
            RETURN NEXT; CONTINUE;
          END IF;
          IF p_data[i] IS NOT NULL THEN
            v_ctype := lower(btrim(split_part(s.content_type, ';', 1)));
            IF p_ctypes[i] IS DISTINCT FROM v_ctype THEN status := 'content_type'; RETURN NEXT; CONTINUE; END IF;
          END IF;
          IF p_pids[i] IS NOT NULL THEN
            SELECT * INTO p FROM ${t.producers} pr WHERE pr.stream_id = s.id AND pr.producer_id = p_pids[i] FOR UPDATE;
            IF NOT FOUND THEN
              IF p_pseqs[i] <> 0 THEN
                status := 'gap'; expected_seq := 0; producer_seq := p_pseqs[i]; RETURN NEXT; CONTINUE;
              END IF;
            ELSIF p_epochs[i] < p.epoch THEN
              status := 'stale_epoch'; producer_epoch := p.epoch; RETURN NEXT; CONTINUE;
            ELSIF p_epochs[i] > p.epoch THEN
              IF p_pseqs[i] <> 0 THEN status := 'epoch_seq'; RETURN NEXT; CONTINUE; END IF;
            ELSIF p_pseqs[i] <= p.last_seq THEN
              status := 'duplicate'; producer_epoch := p_epochs[i]; producer_seq := p.last_seq; RETURN NEXT; CONTINUE;
            ELSIF p_pseqs[i] > p.last_seq + 1 THEN
              status := 'gap'; expected_seq := p.last_seq + 1; producer_seq := p_pseqs[i]; RETURN NEXT; CONTINUE;
            END IF;
          END IF;
          IF p_invalid[i] IS NOT NULL THEN status := p_invalid[i]; RETURN NEXT; CONTINUE; END IF;
          IF p_seqs[i] IS NOT NULL AND s.last_seq IS NOT NULL AND p_seqs[i] COLLATE "C" <= s.last_seq THEN
            status := 'seq_conflict'; RETURN NEXT; CONTINUE;
          END IF;
          v_len := coalesce(octet_length(p_data[i]), 0);
          IF v_len > 0 AND p_max_stream_bytes IS NOT NULL AND s.tail + v_len - coalesce(s.fork_offset, 0) > p_max_stream_bytes THEN
            status := 'stream_full'; RETURN NEXT; CONTINUE;
          END IF;
          IF v_len > 0 THEN
            INSERT INTO ${t.messages} (stream_id, end_pos, start_pos, data) VALUES (s.id, s.tail + v_len, s.tail, p_data[i]);
          END IF;
          UPDATE ${t.streams} st SET
            tail = s.tail + v_len,
            last_seq = coalesce(p_seqs[i], s.last_seq),
            closed = s.closed OR p_close[i],
            closed_by_id = CASE WHEN p_close[i] THEN p_pids[i] ELSE s.closed_by_id END,
            closed_by_epoch = CASE WHEN p_close[i] THEN p_epochs[i] ELSE s.closed_by_epoch END,
            closed_by_seq = CASE WHEN p_close[i] THEN p_pseqs[i] ELSE s.closed_by_seq END,
            accessed_at = now()
          WHERE st.id = s.id;
          IF p_pids[i] IS NOT NULL THEN
            INSERT INTO ${t.producers} AS pr (stream_id, producer_id, epoch, last_seq, updated_at)
            VALUES (s.id, p_pids[i], p_epochs[i], p_pseqs[i], now())
            ON CONFLICT ON CONSTRAINT firehose_ds_producers_pkey DO UPDATE
              SET epoch = EXCLUDED.epoch, last_seq = EXCLUDED.last_seq, updated_at = now();
            producer_epoch := p_epochs[i]; producer_seq := p_pseqs[i];
          END IF;
          IF v_len > 0 OR p_close[i] THEN PERFORM pg_notify(p_channel, s.id::text); END IF;
          status := 'ok'; tail := s.tail + v_len; closed := s.closed OR p_close[i];
          RETURN NEXT;
        END LOOP;
      END
      $fn$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const t = durableStreamsTables((queryRunner.connection.options as { schema?: string }).schema);
    await queryRunner.query(
      `DROP FUNCTION IF EXISTS ${t.appendFunction}(text[], bytea[], text[], text[], text[], text[], bigint[], bigint[], boolean[], text, bigint)`,
    );
  }
}
