import type { IncomingMessage, ServerResponse } from 'node:http';
import { OFFSET_BEGINNING, OFFSET_NOW } from '../durable-streams.constants.js';
import { StreamRequestError } from '../errors/stream-request.error.js';
import { isJsonType, jsonArray } from '../json-messages.js';
import type { MessageReader } from '../message-reader.js';
import type { StreamStore } from '../store/stream.store.js';
import { responseCursor } from '../stream-cursor.js';
import { formatOffset, parseOffset } from '../stream-offset.js';
import { existingStream } from './existing-stream.js';
import { etag, header, reply, type Headers } from './http-response.js';
import type { LiveReadHandler } from './live-read.handler.js';

/**
 * Catch-up responses never change for their ETag, so caches may keep them: shared ones (CDNs)
 * only when anyone may read every stream, else only the reader's own.
 */
const PUBLIC_CATCH_UP = 'public, max-age=60, stale-while-revalidate=300';
const PRIVATE_CATCH_UP = 'private, max-age=60, stale-while-revalidate=300';

/**
 * GET: a catch-up read of one chunk from an offset (`-1`, `now`, or one this server returned),
 * with its ETag; `live=long-poll` and `live=sse` go on in the live handler.
 */
export class ReadHandler {
  private catchUpCacheControl = PRIVATE_CATCH_UP;

  constructor(
    private readonly streams: StreamStore,
    private readonly reader: MessageReader,
    private readonly live: LiveReadHandler,
  ) {}

  /** Whether shared caches may keep catch-up reads: known once the app's guards are (at bootstrap). */
  setPublicReads(isPublic: boolean): void {
    this.catchUpCacheControl = isPublic ? PUBLIC_CATCH_UP : PRIVATE_CATCH_UP;
  }

  async read(path: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const offsets = url.searchParams.getAll('offset');
    if (offsets.length > 1) throw new StreamRequestError(400, 'Give one offset');
    const offset = offsets[0];
    let position: number | undefined;
    if (offset !== undefined && offset !== OFFSET_BEGINNING && offset !== OFFSET_NOW) {
      position = parseOffset(offset);
      if (position === undefined) throw new StreamRequestError(400, 'offset must be -1, now, or an offset this server returned');
    }
    const live = url.searchParams.get('live');
    if (live !== null && live !== 'long-poll' && live !== 'sse') throw new StreamRequestError(400, 'live must be long-poll or sse');
    if (live !== null && offset === undefined) throw new StreamRequestError(400, `live=${live} needs an offset`);
    const cursor = url.searchParams.get('cursor');
    const row = await existingStream(this.streams, path);
    if (row.ttlSeconds !== null) await this.streams.touch(row.id);
    const start = offset === OFFSET_NOW ? row.tail : (position ?? 0);
    if (live === 'sse') return this.live.sse(path, row, start, cursor, res);

    if (offset === OFFSET_NOW && live === null) {
      const headers: Headers = {
        'content-type': row.contentType,
        'stream-next-offset': formatOffset(row.tail),
        'stream-up-to-date': 'true',
        'cache-control': 'no-store',
      };
      if (row.closed) headers['stream-closed'] = 'true';
      return reply(res, 200, headers, isJsonType(row.contentType) ? '[]' : '');
    }

    let current = row;
    let messages = start < current.tail ? await this.reader.messages(current, start) : [];
    if (live === 'long-poll' && messages.length === 0) {
      const woken = await this.live.longPoll(path, current, start, cursor, res);
      if (woken === undefined) return;
      ({ row: current, messages } = woken);
    }

    const end = messages.length > 0 ? messages[messages.length - 1].end : Math.max(start, current.tail);
    const upToDate = end >= current.tail;
    const eof = upToDate && current.closed;
    const headers: Headers = {
      'content-type': current.contentType,
      'stream-next-offset': formatOffset(end),
      etag: etag(current, offset ?? OFFSET_BEGINNING, end, eof),
    };
    if (upToDate) headers['stream-up-to-date'] = 'true';
    if (eof) headers['stream-closed'] = 'true';
    if (live === 'long-poll') {
      if (!current.closed) headers['stream-cursor'] = responseCursor(cursor);
    } else {
      headers['cache-control'] = this.catchUpCacheControl;
    }
    if (header(req, 'if-none-match') === headers.etag) return reply(res, 304, { etag: headers.etag });
    const parts = messages.map((m) => m.data);
    reply(res, 200, headers, isJsonType(current.contentType) ? jsonArray(parts) : Buffer.concat(parts));
  }
}
