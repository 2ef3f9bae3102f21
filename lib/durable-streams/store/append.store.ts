import type pg from 'pg';
import type { DurableStreamsDatabase } from './durable-streams-database.js';
import { num } from './stream-row.js';

/** One append (or close) as the batch function takes it. */
export interface AppendItem {
  path: string;
  data: Buffer | null;
  /** Normalized media type of the request, compared with the stream's. */
  contentType: string | null;
  /** Outcome to report once producer checks pass: the body was bad JSON or an empty array. */
  invalid: 'invalid_json' | 'empty_array' | 'json_too_deep' | null;
  seq: string | null;
  producerId: string | null;
  producerEpoch: number | null;
  producerSeq: number | null;
  close: boolean;
}

export type AppendStatus =
  | 'ok'
  | 'not_found'
  | 'gone'
  | 'closed'
  | 'duplicate'
  | 'content_type'
  | 'stale_epoch'
  | 'epoch_seq'
  | 'gap'
  | 'seq_conflict'
  | 'invalid_json'
  | 'empty_array'
  | 'json_too_deep'
  | 'stream_full';

export interface AppendOutcome {
  status: AppendStatus;
  streamId: number | null;
  tail: number | null;
  closed: boolean | null;
  producerEpoch: number | null;
  producerSeq: number | null;
  expectedSeq: number | null;
}

/**
 * Calls the append function of the migration with a batch of appends: one round trip, one
 * transaction, one outcome per item (never an exception for one bad item).
 */
export class AppendStore {
  private readonly pool: pg.Pool;
  private readonly channel: string;
  private readonly appendSql: string;

  /**
   * @param maxStreamBytes most bytes a stream may hold (its own, a fork's source not counted);
   *   an append past it is answered `stream_full`. Null: no limit.
   */
  constructor(
    database: DurableStreamsDatabase,
    private readonly maxStreamBytes: number | null = null,
  ) {
    this.pool = database.pool;
    this.channel = database.channel;
    this.appendSql = `SELECT * FROM ${database.tables.appendFunction}($1::text[], $2::bytea[], $3::text[], $4::text[], $5::text[],
      $6::text[], $7::bigint[], $8::bigint[], $9::boolean[], $10, $11::bigint)`;
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
        this.maxStreamBytes,
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
}
