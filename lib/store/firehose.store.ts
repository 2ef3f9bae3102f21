import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { FirehoseEvent, FirehoseReset } from '../protocol/firehose-event.js';
import { dataSourcePool } from '../platform/typeorm-pg-pool.js';
import { FirehoseNotifyKeyUnreadableError } from '../errors/notify-key-unreadable.error.js';
import { FirehoseTablesMissingError } from '../errors/tables-missing.error.js';
import { eventFromRow, type EventRow } from './event-row.js';
import { firehoseTables, type FirehoseTables } from './firehose-tables.js';

/** Something that runs SQL: the DataSource (pool, autocommit) or a caller's transaction manager. */
type Queryable = Pick<DataSource | EntityManager, 'query'>;

/** What an append returns per event, in id order. */
export type AppendedRow = EventRow;

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
  private readonly cleanupSkipSql: string;
  private readonly cleanupWaitSql: string;
  /** The DataSource's pg pool: group-commit batches skip TypeORM's per-query QueryRunner. */
  private readonly pool: pg.Pool | undefined;

  constructor(
    readonly dataSource: DataSource,
    private readonly channel: string,
    private readonly notifyMaxBytes: number,
  ) {
    this.t = firehoseTables((dataSource.options as { schema?: string }).schema);
    this.pool = dataSourcePool(dataSource);
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
    const cleanupSql = (lockMode: string) => `
      WITH l AS (
        SELECT id, sequence, pruned_id FROM ${this.t.channels} WHERE id = ANY($1::integer[]) FOR NO KEY UPDATE ${lockMode}
      ), d AS (
        DELETE FROM ${this.t.messages} m USING l
        WHERE m.channel_id = l.id AND m.id > l.pruned_id AND m.sequence <= l.sequence - $2
        RETURNING m.channel_id, m.id
      ), x AS (
        SELECT channel_id, max(id) AS max_id, count(*) AS n FROM d GROUP BY channel_id
      ), u AS (
        UPDATE ${this.t.channels} ch SET pruned_id = x.max_id FROM x WHERE ch.id = x.channel_id
      )
      SELECT COALESCE((SELECT sum(n) FROM x), 0) AS deleted, ARRAY(SELECT id FROM l) AS done`;
    this.cleanupSkipSql = cleanupSql('SKIP LOCKED');
    this.cleanupWaitSql = cleanupSql('');
    this.fetchSql = `
      SELECT m.id, c.name AS stream, m.sequence, m.channel_id, m.data
      FROM ${this.t.messages} m JOIN ${this.t.channels} c ON c.id = m.channel_id
      WHERE m.id = ANY($1::bigint[])`;
  }

  /** Throws FirehoseTablesMissingError, naming what is missing and its migration, when the migrations have not run. */
  async assertTablesExist(): Promise<void> {
    const names = [this.t.channels, this.t.messages, this.t.appendFunction, this.t.notifyKey];
    const [found] = await this.dataSource.query(
      'SELECT to_regclass($1) AS channels, to_regclass($2) AS messages, to_regproc($3) AS append, to_regclass($4) AS key',
      names,
    );
    const present = [found.channels, found.messages, found.append, found.key];
    const missing = names.filter((_, i) => present[i] === null);
    if (missing.length === 0) return;
    const migrations = [];
    if (missing.some((name) => name !== this.t.notifyKey)) migrations.push('CreateFirehoseTables1732320000000');
    if (missing.includes(this.t.notifyKey)) migrations.push('SignFirehoseNotifications1732350000000');
    throw new FirehoseTablesMissingError(missing, migrations);
  }

  /**
   * The key that signs the module's notifications, read once at boot with the app's role. Throws
   * FirehoseNotifyKeyUnreadableError when the role may not read it or it is not there.
   */
  async readNotifyKey(): Promise<Buffer> {
    let rows: Array<{ key: Buffer }>;
    try {
      rows = await this.dataSource.query(`SELECT key FROM ${this.t.notifyKey}`);
    } catch (error) {
      throw new FirehoseNotifyKeyUnreadableError(this.t.notifyKey, error);
    }
    if (rows.length !== 1) throw new FirehoseNotifyKeyUnreadableError(this.t.notifyKey, new Error('the table has no key'));
    return rows[0].key;
  }

  /** Appends events in one transaction (or in the caller's), notifying each in id order. */
  async append(streams: string[], payloads: string[], runner?: Queryable): Promise<AppendedRow[]> {
    const values = [streams, payloads, this.channel, this.notifyMaxBytes];
    if (runner || !this.pool) return (runner ?? this.dataSource).query(this.appendSql, values);
    // A named statement is parsed once per pooled connection.
    const { rows } = await this.pool.query<AppendedRow>({ name: 'firehose_append', text: this.appendSql, values });
    return rows;
  }

  /**
   * Reads up to `limit` events, in id order, of each stream with an id above that stream's cursor
   * (`afters[i]` for `streams[i]`). A stream trimmed past its cursor comes back as a reset instead.
   */
  async readAfter(streams: readonly string[], afters: number[], limit: number): Promise<ReplayPage> {
    const rows: Array<{ kind: string; id: string | null; stream: string; sequence: string; channel_id: number; data: unknown }> =
      await this.dataSource.query(this.replaySql, [streams, afters, limit]);
    const page: ReplayPage = { events: [], resets: [] };
    for (const row of rows) {
      if (row.kind === 'reset') {
        page.resets.push({ type: 'reset', stream: row.stream, lastEventId: Number(row.id ?? 0), reason: 'history-trimmed' });
      } else {
        page.events.push(eventFromRow(row as RawEventRow, row.data));
      }
    }
    return page;
  }

  /** Reads events by id (those notified by reference); trimmed ones are simply absent. */
  async fetchByIds(ids: number[]): Promise<Map<number, FirehoseEvent>> {
    const rows = await this.dataSource.query(this.fetchSql, [ids]);
    return new Map(rows.map((row: RawEventRow) => [Number(row.id), eventFromRow(row, row.data)]));
  }

  /** The newest committed id: every committed event has an id at most this. */
  async maxId(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT COALESCE(max(id), 0) AS id FROM ${this.t.messages}`);
    return Number(row.id);
  }

  /**
   * Deletes all but the newest `keep` messages of each channel and raises its pruned_id in the same
   * statement. Channel rows locked by an append in flight are skipped rather than waited for, so
   * cleanup never joins a lock cycle with appends; the skipped ones are returned for a retry.
   */
  async cleanup(streamIds: number[], keep: number, wait = false): Promise<{ deleted: number; skipped: number[] }> {
    const [row] = await this.dataSource.query(wait ? this.cleanupWaitSql : this.cleanupSkipSql, [streamIds, keep]);
    const done = new Set<number>(row.done);
    return { deleted: Number(row.deleted), skipped: streamIds.filter((id) => !done.has(id)) };
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.dataSource.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }
}

interface RawEventRow extends EventRow {
  data: unknown;
}
