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

/**
 * Whether a stream row has expired, by the server's clock. The TTL is compared in seconds, not
 * added to a timestamp: `accessed_at + ttl_seconds * interval` overflows for a huge TTL (or an
 * infinite time), and one such row would fail every query that reads it, the sweep's included.
 */
export const EXPIRED_CONDITION = `((expires_at_ts IS NOT NULL AND now() >= expires_at_ts)
    OR (ttl_seconds IS NOT NULL AND extract(epoch FROM now()) - extract(epoch FROM accessed_at) >= ttl_seconds))`;

/** The columns every query selects to build a StreamRow. */
export const STREAM_COLUMNS = `id, path, content_type, ttl_seconds, expires_at, tail, closed, closed_by_id, closed_by_epoch,
  closed_by_seq, forked_from, fork_offset, fork_sub_offset, ref_count, soft_deleted, ${EXPIRED_CONDITION} AS expired`;

/** A bigint column (pg returns int8 as a string) as a number, or null. */
export function num(value: string | number | null): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** A row of the streams table as pg returns it: bigints as strings, timestamps as text. */
export interface StreamRecord {
  id: string | number;
  path: string;
  content_type: string;
  ttl_seconds: string | number | null;
  expires_at: string | null;
  tail: string | number;
  closed: boolean;
  closed_by_id: string | null;
  closed_by_epoch: string | number | null;
  closed_by_seq: string | number | null;
  forked_from: string | number | null;
  fork_offset: string | number | null;
  fork_sub_offset: string | number | null;
  ref_count: number;
  soft_deleted: boolean;
  expired: boolean;
}

export function toStreamRow(row: StreamRecord): StreamRow {
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
