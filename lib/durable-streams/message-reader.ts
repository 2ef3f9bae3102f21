import type pg from 'pg';
import type { MessageCache } from './message-cache.js';
import type { MessageStore, ReadSegment, StoredMessage } from './store/message.store.js';
import type { StreamStore } from './store/stream.store.js';
import type { StreamRow } from './store/stream-row.js';

type Lineage = { forkedFrom: number | null; forkOffset: number | null };

const LINEAGE_CACHE_SIZE = 10_000;

/**
 * Reads a stream's messages in chunks, across its fork lineage: from the in-memory cache of its
 * own recent messages when it holds them, else from the table.
 */
export class MessageReader {
  /** Source and fork offset of fork sources read so far: fixed for a stream's life, and ids are never reused. */
  private readonly lineage = new Map<number, Lineage>();

  constructor(
    private readonly streams: StreamStore,
    private readonly store: MessageStore,
    private readonly cache: MessageCache,
    private readonly readChunkBytes: number,
  ) {}

  /** One chunk of messages of `row` past `from`, up to the tail read with `row`. */
  async messages(row: StreamRow, from: number): Promise<StoredMessage[]> {
    const own = row.forkedFrom === null || from >= (row.forkOffset ?? 0);
    if (own) {
      const cached = this.cache.read(row.id, from, row.tail, this.readChunkBytes);
      if (cached) return cached;
    }
    const messages = await this.store.read(await this.segments(row, row.tail), from, this.readChunkBytes);
    if (own) this.cache.add(row.id, from, messages);
    return messages;
  }

  /** Records the messages of an append just acknowledged, so the next catch-up read needs no query. */
  appended(streamId: number, from: number, messages: StoredMessage[]): void {
    this.cache.add(streamId, from, messages);
  }

  /** The pieces of a stream's offset space, oldest first: its sources' up to each fork point, then its own. */
  async segments(row: StreamRow, tail: number, client?: pg.PoolClient): Promise<ReadSegment[]> {
    const segments: ReadSegment[] = [{ streamId: row.id, lo: row.forkOffset ?? 0, hi: tail }];
    let child: Lineage = row;
    // Bounded: a process that reads very many forks only re-reads their sources' rows.
    if (this.lineage.size > LINEAGE_CACHE_SIZE) this.lineage.clear();
    while (child.forkedFrom !== null) {
      const parentId = child.forkedFrom;
      let parent = this.lineage.get(parentId);
      if (!parent) {
        const parentRow = await this.streams.getById(parentId, client);
        if (!parentRow) break;
        parent = { forkedFrom: parentRow.forkedFrom, forkOffset: parentRow.forkOffset };
        this.lineage.set(parentId, parent);
      }
      segments.unshift({ streamId: parentId, lo: parent.forkOffset ?? 0, hi: child.forkOffset ?? 0 });
      child = parent;
    }
    return segments;
  }
}
