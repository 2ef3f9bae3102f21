import type { DataSource, EntityManager } from 'typeorm';
import type { FirehoseEvent, FirehoseReset } from '../interfaces/firehose-event.interface.js';
import { firehoseTables, type FirehoseTables } from './firehose-tables.js';

/** Something that runs SQL: the DataSource (pool, autocommit) or a caller's transaction manager. */
type Queryable = Pick<DataSource | EntityManager, 'query'>;

export interface AppendedRow {
  id: string;
  stream: string;
  sequence: string;
  channel_id: number;
}

/** A page of a replay or catch-up read: events in id order, and the streams found trimmed. */
export interface ReplayPage {
  events: FirehoseEvent[];
  resets: FirehoseReset[];
}

/** All SQL of the log. Every value travels as a bound parameter. */
export class FirehoseStore {
  private readonly t: FirehoseTables;
  private readonly appendSql: string;
  private readonly replaySql: string;
  private readonly fetchSql: string;

  constructor(
    readonly dataSource: DataSource,
    private readonly channel: string,
    private readonly notifyMaxBytes: number,
  ) {
    this.t = firehoseTables((dataSource.options as { schema?: string }).schema);
    this.appendSql = `SELECT id, stream, sequence, channel_id FROM ${this.t.appendFunction}($1::text[], $2::text[], $3, $4)`;
    // One statement, so one snapshot: the trimmed check and the rows agree. A stream whose
    // pruned_id passed its cursor yields a reset row (with its newest id) and no events.
    this.replaySql = `
      WITH req AS (
        SELECT name, after FROM unnest($1::text[], $2::bigint[]) AS r(name, after)
      ), ch AS (
        SELECT c.id, c.name, c.pruned_id, req.after FROM ${this.t.channels} c JOIN req ON req.name = c.name
      )
      SELECT * FROM (
        SELECT 'reset' AS kind, (SELECT max(m.id) FROM ${this.t.messages} m WHERE m.channel_id = ch.id) AS id,
               ch.name AS stream, NULL::bigint AS sequence, ch.id AS channel_id, NULL::json AS data
        FROM ch WHERE ch.pruned_id > ch.after
      ) resets
      UNION ALL
      SELECT * FROM (
        SELECT 'event', m.id, ch.name, m.sequence, m.channel_id, m.data
        FROM ${this.t.messages} m JOIN ch ON ch.id = m.channel_id
        WHERE ch.pruned_id <= ch.after AND m.id > ch.after
        ORDER BY m.id LIMIT $3
      ) events`;
    this.fetchSql = `
      SELECT m.id, c.name AS stream, m.sequence, m.channel_id, m.data
      FROM ${this.t.messages} m JOIN ${this.t.channels} c ON c.id = m.channel_id
      WHERE m.id = ANY($1::bigint[])`;
  }

  /** Appends events in one transaction (or in the caller's), notifying each in id order. */
  async append(streams: string[], payloads: string[], runner: Queryable = this.dataSource): Promise<AppendedRow[]> {
    return runner.query(this.appendSql, [streams, payloads, this.channel, this.notifyMaxBytes]);
  }

  /**
   * Reads up to `limit` events, in id order, of each stream with an id above that stream's cursor
   * (`afters[i]` for `streams[i]`). A stream trimmed past its cursor comes back as a reset instead.
   */
  async readAfter(streams: string[], afters: number[], limit: number): Promise<ReplayPage> {
    const rows: Array<{ kind: string; id: string | null; stream: string; sequence: string; channel_id: number; data: unknown }> =
      await this.dataSource.query(this.replaySql, [streams, afters, limit]);
    const page: ReplayPage = { events: [], resets: [] };
    for (const row of rows) {
      if (row.kind === 'reset') {
        page.resets.push({ type: 'reset', stream: row.stream, lastEventId: Number(row.id ?? 0), reason: 'history-trimmed' });
      } else {
        page.events.push(toEvent(row as RawEventRow));
      }
    }
    return page;
  }

  /** Reads events by id (those notified by reference); trimmed ones are simply absent. */
  async fetchByIds(ids: number[]): Promise<Map<number, FirehoseEvent>> {
    const rows = await this.dataSource.query(this.fetchSql, [ids]);
    return new Map(rows.map((row: RawEventRow) => [Number(row.id), toEvent(row)]));
  }

  /** The newest committed id: every committed event has an id at most this. */
  async maxId(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT COALESCE(max(id), 0) AS id FROM ${this.t.messages}`);
    return Number(row.id);
  }

  /** Deletes all but the newest `keep` messages of each channel; returns how many went. */
  async cleanup(channelIds: number[], keep: number): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT ${this.t.cleanupFunction}($1::integer[], $2) AS deleted`, [channelIds, keep]);
    return Number(row.deleted);
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.dataSource.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }
}

interface RawEventRow {
  id: string;
  stream: string;
  sequence: string;
  channel_id: number;
  data: unknown;
}

function toEvent(row: RawEventRow): FirehoseEvent {
  return {
    id: Number(row.id),
    stream: row.stream,
    data: row.data,
    sequence: Number(row.sequence),
    channelId: row.channel_id,
  };
}
