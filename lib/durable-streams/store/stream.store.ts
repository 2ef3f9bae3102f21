import type pg from 'pg';
import type { DurableStreamsDatabase } from './durable-streams-database.js';
import type { DurableStreamsTables } from './durable-streams-tables.js';
import { EXPIRED_CONDITION, STREAM_COLUMNS, toStreamRow, type StreamRecord, type StreamRow } from './stream-row.js';

type Client = pg.PoolClient;

/** SQLSTATEs after which a transaction may simply run again: deadlock, serialization failure. */
export const RETRY_TRANSACTION: ReadonlySet<string> = new Set(['40P01', '40001']);
const MAX_TRANSACTION_ATTEMPTS = 3;

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

/**
 * The SQL of a stream's life: look-up, create, expire and delete (soft while forks read through
 * it), and the transactions around them. Every value travels as a bound parameter.
 */
export class StreamStore {
  private readonly t: DurableStreamsTables;
  private readonly pool: pg.Pool;
  private readonly channel: string;
  private readonly getSql: string;

  constructor(database: DurableStreamsDatabase) {
    this.t = database.tables;
    this.pool = database.pool;
    this.channel = database.channel;
    this.getSql = `SELECT ${STREAM_COLUMNS} FROM ${this.t.streams} WHERE path = $1`;
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

  /**
   * Runs `work` in a transaction on one pooled connection; again (up to three times in all) when it
   * failed with one of `retryOn`, by default a deadlock (requests lock rows of a fork and its
   * source in opposite orders now and then) or a serialization failure. `work` must start afresh.
   */
  async transaction<T>(work: (client: Client) => Promise<T>, retryOn: ReadonlySet<string> = RETRY_TRANSACTION): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactionOnce(work);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || code === undefined || !retryOn.has(code)) throw error;
      }
    }
  }

  private async transactionOnce<T>(work: (client: Client) => Promise<T>): Promise<T> {
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
      [
        spec.path,
        spec.contentType,
        spec.ttlSeconds,
        spec.expiresAt,
        tail,
        spec.closed,
        spec.forkedFrom,
        spec.forkOffset,
        spec.forkSubOffset,
        spec.expiresAt === null ? null : new Date(spec.expiresAt).toISOString(),
      ],
    );
    const row = toStreamRow(rows[0]);
    let at = start;
    for (const part of spec.initial) {
      await client.query(`INSERT INTO ${this.t.messages} (stream_id, end_pos, start_pos, data) VALUES ($1, $2, $3, $4)`, [
        row.id,
        at + part.length,
        at,
        part,
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
      const { rows }: { rows: StreamRecord[] } = await client.query(
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

  /** Paths of up to `limit` expired streams not yet deleted, but those in `skip`, for the sweeper. */
  async expiredPaths(limit: number, skip: string[] = []): Promise<string[]> {
    const { rows } = await this.pool.query(
      `SELECT path FROM ${this.t.streams} WHERE NOT soft_deleted AND ${EXPIRED_CONDITION} AND NOT (path = ANY($2::text[])) LIMIT $1`,
      [limit, skip],
    );
    return rows.map((row: { path: string }) => row.path);
  }

  /** Bytes all streams hold (each its own: a fork's source is counted once, with the source). */
  async storedBytes(): Promise<number> {
    const { rows } = await this.pool.query(
      `SELECT coalesce(sum(tail - coalesce(fork_offset, 0)), 0)::text AS bytes FROM ${this.t.streams}`,
    );
    return Number(rows[0].bytes);
  }

  private async notify(id: number, client: Client): Promise<void> {
    await client.query('SELECT pg_notify($1, $2)', [this.channel, String(id)]);
  }
}
