import type { DataSource } from 'typeorm';
import type pg from 'pg';
import { FirehoseConfigurationError } from '../errors/firehose-configuration.error.js';
import { dataSourcePool } from '../store/data-source-pool.js';
import { CopyOutQuery, parseInt8ByteaRows } from './copy-out.js';
import { durableStreamsTables, type DurableStreamsTables } from './durable-streams-tables.js';

/** A stream's metadata row, as the handlers see it. Positions are byte offsets in its offset space. */
export interface StreamRow {
  id: number;
  path: string;
  contentType: string;
  ttlSeconds: number | null;
  expiresAt: string | null;
  tail: number;
  closed: boolean;
  closedById: string | null;
  closedByEpoch: number | null;
  closedBySeq: number | null;
  forkedFrom: number | null;
  forkOffset: number | null;
  forkSubOffset: number | null;
  refCount: number;
  softDeleted: boolean;
  expired: boolean;
}

/** One append (or close) as the batch function takes it. */
export interface AppendItem {
  path: string;
  data: Buffer | null;
  /** Normalized media type of the request, compared with the stream's. */
  contentType: string | null;
  /** Outcome to report once producer checks pass: the body was bad JSON or an empty array. */
  invalid: 'invalid_json' | 'empty_array' | null;
  seq: string | null;
  producerId: string | null;
  producerEpoch: number | null;
  producerSeq: number | null;
  close: boolean;
}

export type AppendStatus =
  | 'ok' | 'not_found' | 'gone' | 'closed' | 'duplicate' | 'content_type' | 'stale_epoch' | 'epoch_seq'
  | 'gap' | 'seq_conflict' | 'invalid_json' | 'empty_array';

export interface AppendOutcome {
  status: AppendStatus;
  streamId: number | null;
  tail: number | null;
  closed: boolean | null;
  producerEpoch: number | null;
  producerSeq: number | null;
  expectedSeq: number | null;
}

/** A message of a read: its bytes and the position just past them (its offset). */
export interface StoredMessage {
  end: number;
  data: Buffer;
}

/** A piece of a stream's offset space that lives in one stream's own rows: positions (lo, hi]. */
export interface ReadSegment {
  streamId: number;
  lo: number;
  hi: number;
}

export interface CreateSpec {
  path: string;
  contentType: string;
  ttlSeconds: number | null;
  expiresAt: string | null;
  closed: boolean;
  forkedFrom: number | null;
  forkOffset: number | null;
  forkSubOffset: number | null;
  /** The first own messages, in order: a fork's sub-offset prefix, the PUT body. */
  initial: Buffer[];
}

type Pool = pg.Pool;
type Client = pg.PoolClient;

const STREAM_COLUMNS = `id, path, content_type, ttl_seconds, expires_at, tail, closed, closed_by_id, closed_by_epoch,
  closed_by_seq, forked_from, fork_offset, fork_sub_offset, ref_count, soft_deleted,
  ((expires_at_ts IS NOT NULL AND now() >= expires_at_ts)
    OR (ttl_seconds IS NOT NULL AND now() >= accessed_at + ttl_seconds * interval '1 second')) AS expired`;

/** All SQL of the Durable Streams protocol. Every value travels as a bound parameter. */
export class DurableStreamsStore {
  private readonly t: DurableStreamsTables;
  private readonly pool: Pool;
  private readonly appendSql: string;
  private readonly readSql: string;
  private readonly getSql: string;

  constructor(
    dataSource: DataSource,
    private readonly channel: string,
  ) {
    this.t = durableStreamsTables((dataSource.options as { schema?: string }).schema);
    const pool = dataSourcePool(dataSource);
    if (!pool) throw new FirehoseConfigurationError('Durable Streams needs a TypeORM DataSource of type "postgres".');
    this.pool = pool;
    this.appendSql = `SELECT * FROM ${this.t.appendFunction}($1::text[], $2::bytea[], $3::text[], $4::text[], $5::text[],
      $6::text[], $7::bigint[], $8::bigint[], $9::boolean[], $10)`;
    this.getSql = `SELECT ${STREAM_COLUMNS} FROM ${this.t.streams} WHERE path = $1`;
    // Messages whose end lies in a segment, up to about `$4` bytes past the read position: a
    // message that starts before that bound is included whole, so a chunk is never empty.
    this.readSql = `
      SELECT m.end_pos, m.data
      FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS seg(sid, lo, hi)
      CROSS JOIN LATERAL (
        SELECT end_pos, data FROM ${this.t.messages}
        WHERE stream_id = seg.sid AND end_pos > greatest(seg.lo, $5) AND end_pos <= seg.hi AND start_pos < $4
        ORDER BY end_pos
      ) m
      ORDER BY m.end_pos`;
  }

  async get(path: string): Promise<StreamRow | undefined> {
    const { rows } = await this.pool.query({ name: 'ds_get', text: this.getSql, values: [path] });
    return rows[0] ? toStreamRow(rows[0]) : undefined;
  }

  async getById(id: number, client?: Client): Promise<StreamRow | undefined> {
    const { rows } = await (client ?? this.pool).query(`SELECT ${STREAM_COLUMNS} FROM ${this.t.streams} WHERE id = $1`, [id]);
    return rows[0] ? toStreamRow(rows[0]) : undefined;
  }

  /** Restarts a TTL stream's sliding window. */
  async touch(id: number): Promise<void> {
    await this.pool.query({ name: 'ds_touch', text: `UPDATE ${this.t.streams} SET accessed_at = now() WHERE id = $1`, values: [id] });
  }

  async append(items: AppendItem[]): Promise<AppendOutcome[]> {
    const { rows } = await this.pool.query({
      name: 'ds_append',
      text: this.appendSql,
      values: [
        items.map((i) => i.path),
        items.map((i) => i.data),
        items.map((i) => i.contentType),
        items.map((i) => i.invalid),
        items.map((i) => i.seq),
        items.map((i) => i.producerId),
        items.map((i) => i.producerEpoch),
        items.map((i) => i.producerSeq),
        items.map((i) => i.close),
        this.channel,
      ],
    });
    const outcomes: AppendOutcome[] = new Array(items.length);
    for (const row of rows) {
      outcomes[row.ord - 1] = {
        status: row.status,
        streamId: num(row.stream_id),
        tail: num(row.tail),
        closed: row.closed,
        producerEpoch: num(row.producer_epoch),
        producerSeq: num(row.producer_seq),
        expectedSeq: num(row.expected_seq),
      };
    }
    return outcomes;
  }

  /** Messages of `segments` (in position order) from the first one past `from`, about `maxBytes` of them. */
  async read(segments: ReadSegment[], from: number, maxBytes: number): Promise<StoredMessage[]> {
    const int = (n: number) => {
      if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
      return String(n);
    };
    // Integers only, formatted here: COPY takes no parameters.
    const values = segments.map((s) => `(${int(s.streamId)}::bigint, ${int(s.lo)}::bigint, ${int(s.hi)}::bigint)`).join(', ');
    const sql = `COPY (
      SELECT m.end_pos, m.data
      FROM (VALUES ${values}) AS seg(sid, lo, hi)
      CROSS JOIN LATERAL (
        SELECT end_pos, data FROM ${this.t.messages}
        WHERE stream_id = seg.sid AND end_pos > greatest(seg.lo, ${int(from)}) AND end_pos <= seg.hi AND start_pos < ${int(from + maxBytes)}
        ORDER BY end_pos
      ) m
      ORDER BY m.end_pos) TO STDOUT (FORMAT binary)`;
    const client = await this.pool.connect();
    let failed: Error | undefined;
    try {
      const data = await client.query(new CopyOutQuery(sql)).done;
      return parseInt8ByteaRows(data).map(([end, bytes]) => ({ end, data: bytes }));
    } catch (error) {
      failed = error as Error;
      throw error;
    } finally {
      // A connection that failed mid-protocol is not given back to the pool.
      client.release(failed && !(failed as { code?: string }).code ? failed : undefined);
    }
  }

  /** The first message past `from` in `segments`, e.g. to cut a fork's sub-offset prefix from it. */
  async firstAfter(segments: ReadSegment[], from: number, client: Client): Promise<StoredMessage | undefined> {
    const { rows } = await client.query(this.readSql + ' LIMIT 1', [
      segments.map((s) => s.streamId), segments.map((s) => s.lo), segments.map((s) => s.hi), Number.MAX_SAFE_INTEGER, from,
    ]);
    return rows[0] ? { end: Number(rows[0].end_pos), data: rows[0].data } : undefined;
  }

  /** Whether `position` is a message boundary of the segments' offset space (where a fork may start). */
  async isBoundary(segments: ReadSegment[], position: number, client: Client): Promise<boolean> {
    if (position === 0) return true;
    if (segments.some((s) => s.lo === position)) return true;
    const { rows } = await client.query(
      `SELECT 1 FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS seg(sid, lo, hi)
       JOIN ${this.t.messages} m ON m.stream_id = seg.sid AND m.end_pos = $4 AND m.end_pos > seg.lo AND m.end_pos <= seg.hi`,
      [segments.map((s) => s.streamId), segments.map((s) => s.lo), segments.map((s) => s.hi), position],
    );
    return rows.length > 0;
  }

  /** Runs `work` in a transaction on one pooled connection. */
  async transaction<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async lock(path: string, client: Client): Promise<StreamRow | undefined> {
    const { rows } = await client.query(`SELECT ${STREAM_COLUMNS} FROM ${this.t.streams} WHERE path = $1 FOR UPDATE`, [path]);
    return rows[0] ? toStreamRow(rows[0]) : undefined;
  }

  async insert(spec: CreateSpec, client: Client): Promise<StreamRow> {
    const start = spec.forkOffset ?? 0;
    const tail = start + spec.initial.reduce((sum, part) => sum + part.length, 0);
    const { rows } = await client.query(
      `INSERT INTO ${this.t.streams} (path, content_type, ttl_seconds, expires_at, expires_at_ts, tail, closed,
         forked_from, fork_offset, fork_sub_offset)
       VALUES ($1, $2, $3, $4, $10::timestamptz, $5, $6, $7, $8, $9)
       RETURNING ${STREAM_COLUMNS}`,
      [spec.path, spec.contentType, spec.ttlSeconds, spec.expiresAt, tail, spec.closed, spec.forkedFrom, spec.forkOffset, spec.forkSubOffset,
        spec.expiresAt === null ? null : new Date(spec.expiresAt).toISOString()],
    );
    const row = toStreamRow(rows[0]);
    let at = start;
    for (const part of spec.initial) {
      await client.query(`INSERT INTO ${this.t.messages} (stream_id, end_pos, start_pos, data) VALUES ($1, $2, $3, $4)`, [
        row.id, at + part.length, at, part,
      ]);
      at += part.length;
    }
    if (spec.forkedFrom !== null) {
      await client.query(`UPDATE ${this.t.streams} SET ref_count = ref_count + 1 WHERE id = $1`, [spec.forkedFrom]);
    }
    await this.notify(row.id, client);
    return row;
  }

  /**
   * Deletes a stream, or soft-deletes it while forks still read through it. A hard delete releases
   * the stream's reference on its source, which is deleted too when it was only kept for its forks.
   */
  async remove(row: StreamRow, client: Client): Promise<void> {
    if (row.refCount > 0) {
      await client.query(`UPDATE ${this.t.streams} SET soft_deleted = true WHERE id = $1`, [row.id]);
      await this.notify(row.id, client);
      return;
    }
    let current: StreamRow | undefined = row;
    while (current) {
      await client.query(`DELETE FROM ${this.t.streams} WHERE id = $1`, [current.id]);
      await this.notify(current.id, client);
      if (current.forkedFrom === null) break;
      const { rows }: { rows: Record<string, unknown>[] } = await client.query(
        `UPDATE ${this.t.streams} SET ref_count = greatest(ref_count - 1, 0) WHERE id = $1 RETURNING ${STREAM_COLUMNS}`,
        [current.forkedFrom],
      );
      const parent: StreamRow | undefined = rows[0] ? toStreamRow(rows[0]) : undefined;
      current = parent && parent.refCount === 0 && (parent.softDeleted || parent.expired) ? parent : undefined;
    }
  }

  /** Deletes (or soft-deletes, while forks read through it) the stream at `path` if it has expired. */
  async expire(path: string): Promise<void> {
    await this.transaction(async (client) => {
      const row = await this.lock(path, client);
      if (row?.expired && !row.softDeleted) await this.remove(row, client);
    });
  }

  /** Paths of up to `limit` expired streams not yet deleted, for the sweeper. */
  async expiredPaths(limit: number): Promise<string[]> {
    const { rows } = await this.pool.query(
      `SELECT path FROM ${this.t.streams}
       WHERE NOT soft_deleted AND ((expires_at_ts IS NOT NULL AND now() >= expires_at_ts)
         OR (ttl_seconds IS NOT NULL AND now() >= accessed_at + ttl_seconds * interval '1 second'))
       LIMIT $1`,
      [limit],
    );
    return rows.map((row: { path: string }) => row.path);
  }

  private async notify(id: number, client: Client): Promise<void> {
    await client.query('SELECT pg_notify($1, $2)', [this.channel, String(id)]);
  }
}

function num(value: string | number | null): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toStreamRow(row: Record<string, any>): StreamRow {
  return {
    id: Number(row.id),
    path: row.path,
    contentType: row.content_type,
    ttlSeconds: num(row.ttl_seconds),
    expiresAt: row.expires_at,
    tail: Number(row.tail),
    closed: row.closed,
    closedById: row.closed_by_id,
    closedByEpoch: num(row.closed_by_epoch),
    closedBySeq: num(row.closed_by_seq),
    forkedFrom: num(row.forked_from),
    forkOffset: num(row.fork_offset),
    forkSubOffset: num(row.fork_sub_offset),
    refCount: row.ref_count,
    softDeleted: row.soft_deleted,
    expired: row.expired,
  };
}
