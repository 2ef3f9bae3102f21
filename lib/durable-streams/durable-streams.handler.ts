import { Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import type { AppendBatcher } from './append-batcher.js';
import {
  CORS_ALLOW_HEADERS,
  CORS_ALLOW_METHODS,
  CORS_EXPOSE_HEADERS,
  OFFSET_BEGINNING,
  OFFSET_NOW,
} from './durable-streams.constants.js';
import type { ResolvedDurableStreamsOptions } from './durable-streams-options.js';
import type { AppendItem, AppendOutcome, DurableStreamsStore, ReadSegment, StoredMessage, StreamRow } from './durable-streams.store.js';
import { encodeJsonBody, isJsonType, jsonArray, mediaType } from './json-messages.js';
import type { MessageCache } from './message-cache.js';
import { sseEvent } from './sse-encoding.js';
import { responseCursor } from './stream-cursor.js';
import { formatOffset, parseOffset } from './stream-offset.js';
import type { StreamWaiters } from './stream-waiters.js';

type Headers = Record<string, string>;

/** A request that must be answered with a status and a short text, raised from deep in a handler. */
class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Headers = {},
  ) {
    super(message);
  }
}

/** Headers on every response, errors included (PROTOCOL.md §10.7). */
const BASE_HEADERS: Headers = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': CORS_ALLOW_METHODS,
  'access-control-allow-headers': CORS_ALLOW_HEADERS,
  'access-control-expose-headers': CORS_EXPOSE_HEADERS,
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'cross-origin',
};

const CATCH_UP_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300';
const TTL_PATTERN = /^(0|[1-9]\d*)$/;
const INTEGER_PATTERN = /^\d+$/;
const CONTENT_TYPE_PATTERN = /^[\w.+-]+\/[\w.+-]+/;
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const LINEAGE_CACHE_SIZE = 10_000;

/**
 * The Durable Streams protocol (PUT create, POST append/close, GET read / long-poll / SSE, HEAD,
 * DELETE) on `{path}/*`. It reads the request body itself, byte for byte, so it runs ahead of any
 * framework body parser.
 */
export class DurableStreamsHandler {
  private readonly logger = new Logger('DurableStreams');
  /** Source and fork offset of fork sources read so far: fixed for a stream's life, and ids are never reused. */
  private readonly lineage = new Map<number, { forkedFrom: number | null; forkOffset: number | null }>();
  private readonly open = new Set<ServerResponse>();
  private closing = false;

  constructor(
    private readonly store: DurableStreamsStore,
    private readonly batcher: AppendBatcher,
    private readonly waiters: StreamWaiters,
    private readonly cache: MessageCache,
    private readonly options: ResolvedDurableStreamsOptions,
  ) {}

  /** Whether a request URL is under the base path. */
  matches(url: string | undefined): boolean {
    if (!url) return false;
    const base = this.options.path;
    return url.startsWith(base) && (url.length === base.length || url[base.length] === '/' || url[base.length] === '?');
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    try {
      await this.route(req, res);
    } catch (error) {
      if (error instanceof HttpFailure) {
        this.reply(res, error.status, { 'content-type': 'text/plain', ...error.headers }, error.message);
      } else {
        this.logger.error(`${req.method} ${req.url} failed: ${(error as Error).stack ?? error}`);
        if (!res.headersSent) this.reply(res, 500, { 'content-type': 'text/plain' }, 'Internal server error');
        else res.destroy();
      }
    }
  }

  /**
   * At shutdown: ends SSE responses; woken long-polls see `closing` and answer 204 themselves
   * (ending them here would send an empty 200, which a client would take for data).
   */
  close(): void {
    this.closing = true;
    for (const res of this.open) if (res.headersSent) res.end();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'OPTIONS') return this.reply(res, 204, {});
    // The URL parser resolves dot segments, which may lead out of the base path.
    if (!path.startsWith(this.options.path + '/') || path.length <= this.options.path.length + 1) {
      throw new HttpFailure(404, 'Stream not found: give a stream name after the base path');
    }
    switch (method) {
      case 'PUT':
        return this.create(path, req, res);
      case 'POST':
        return this.append(path, req, res);
      case 'GET':
        return this.read(path, url, req, res);
      case 'HEAD':
        return this.head(path, res);
      case 'DELETE':
        return this.remove(path, res);
      default:
        return this.reply(res, 405, { 'content-type': 'text/plain', allow: CORS_ALLOW_METHODS }, 'Method not allowed');
    }
  }

  // ---------------------------------------------------------------- PUT

  private async create(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const forkedFromHeader = header(req, 'stream-forked-from');
    const forkOffsetHeader = header(req, 'stream-fork-offset');
    const subOffsetHeader = header(req, 'stream-fork-sub-offset');
    const isFork = forkedFromHeader !== undefined;
    let contentType = header(req, 'content-type');
    if (!contentType || !CONTENT_TYPE_PATTERN.test(contentType.trim())) contentType = isFork ? undefined : DEFAULT_CONTENT_TYPE;
    else contentType = contentType.trim();
    const ttlHeader = header(req, 'stream-ttl');
    const expiresHeader = header(req, 'stream-expires-at');
    if (ttlHeader !== undefined && expiresHeader !== undefined) throw new HttpFailure(400, 'Give Stream-TTL or Stream-Expires-At, not both');
    if (ttlHeader !== undefined && !TTL_PATTERN.test(ttlHeader)) {
      throw new HttpFailure(400, 'Stream-TTL must be a whole number of seconds, without sign, decimals or leading zeros');
    }
    const ttlSeconds = ttlHeader === undefined ? null : Number(ttlHeader);
    if (ttlSeconds !== null && !Number.isSafeInteger(ttlSeconds)) throw new HttpFailure(400, 'Stream-TTL is too large');
    if (expiresHeader !== undefined && (expiresHeader === '' || Number.isNaN(Date.parse(expiresHeader)))) {
      throw new HttpFailure(400, 'Stream-Expires-At must be an RFC 3339 timestamp');
    }
    let forkOffset: number | null = null;
    if (forkOffsetHeader !== undefined) {
      const parsed = parseOffset(forkOffsetHeader);
      if (parsed === undefined) throw new HttpFailure(400, 'Stream-Fork-Offset is not an offset of this server');
      forkOffset = parsed;
    }
    let subOffset: number | null = null;
    if (subOffsetHeader !== undefined) {
      if (!isFork) throw new HttpFailure(400, 'Stream-Fork-Sub-Offset needs Stream-Forked-From');
      if (!TTL_PATTERN.test(subOffsetHeader) || !Number.isSafeInteger(Number(subOffsetHeader))) {
        throw new HttpFailure(400, 'Stream-Fork-Sub-Offset must be a non-negative integer');
      }
      subOffset = Number(subOffsetHeader);
    }
    const closed = isTrue(header(req, 'stream-closed'));
    const body = await this.readBody(req);
    const sourcePath = isFork ? streamPathOf(forkedFromHeader) : null;

    const result = await this.store.transaction(async (client) => {
      let existing = await this.store.lock(path, client);
      if (existing?.expired) {
        await this.expire(existing, client);
        existing = existing.refCount > 0 ? { ...existing, softDeleted: true } : undefined;
      }
      if (existing?.softDeleted) {
        throw new HttpFailure(409, 'The stream was deleted but forks still read it: its path is taken until they are deleted');
      }
      if (existing) {
        const source = sourcePath === null ? null : await this.store.lock(sourcePath, client);
        const same =
          mediaType(contentType ?? existing.contentType) === mediaType(existing.contentType) &&
          ttlSeconds === existing.ttlSeconds &&
          (expiresHeader ?? null) === existing.expiresAt &&
          closed === existing.closed &&
          (sourcePath === null ? existing.forkedFrom === null : source?.id === existing.forkedFrom) &&
          (forkOffset === null || forkOffset === existing.forkOffset) &&
          (subOffset ?? 0) === (existing.forkSubOffset ?? 0);
        if (!same) throw new HttpFailure(409, 'The stream exists with a different configuration');
        return { row: existing, created: false };
      }
      let forkSpec: { source: StreamRow; offset: number; prefix: Buffer | null } | null = null;
      let ttl = ttlSeconds;
      let expiresAt = expiresHeader ?? null;
      if (sourcePath !== null) {
        const source = await this.store.lock(sourcePath, client);
        if (!source || (source.expired && source.refCount === 0)) throw new HttpFailure(404, 'The source stream does not exist');
        if (source.softDeleted || source.expired) throw new HttpFailure(409, 'The source stream was deleted');
        if (contentType !== undefined && mediaType(contentType) !== mediaType(source.contentType)) {
          throw new HttpFailure(409, 'A fork has the content type of its source');
        }
        contentType ??= source.contentType;
        const offset = forkOffset ?? source.tail;
        const segments = await this.segments(source, source.tail, client);
        if (offset > source.tail || !(await this.store.isBoundary(segments, offset, client))) {
          throw new HttpFailure(400, 'Stream-Fork-Offset is beyond the source stream or not an offset of it');
        }
        let prefix: Buffer | null = null;
        if (subOffset !== null && subOffset > 0) {
          const first = await this.store.firstAfter(segments, offset, client);
          if (!first) throw new HttpFailure(400, 'Stream-Fork-Sub-Offset points past the end of the source stream');
          prefix = cutPrefix(first.data, subOffset, isJsonType(source.contentType));
        }
        if (ttl === null && expiresAt === null) {
          ttl = source.ttlSeconds;
          expiresAt = source.expiresAt;
        }
        forkSpec = { source, offset, prefix };
      }
      const ct = contentType ?? DEFAULT_CONTENT_TYPE;
      let initial = body.length > 0 ? body : null;
      if (initial && isJsonType(ct)) {
        const encoded = encodeJsonBody(initial, true);
        if (!encoded.ok) throw new HttpFailure(400, 'The body is not valid JSON');
        initial = encoded.bytes.length > 0 ? encoded.bytes : null;
      }
      const row = await this.store.insert(
        {
          path,
          contentType: ct,
          ttlSeconds: ttl,
          expiresAt,
          closed,
          forkedFrom: forkSpec?.source.id ?? null,
          forkOffset: forkSpec?.offset ?? null,
          forkSubOffset: forkSpec && subOffset !== null && subOffset > 0 ? subOffset : null,
          initial: [forkSpec?.prefix ?? null, initial].filter((part): part is Buffer => part !== null && part.length > 0),
        },
        client,
      );
      return { row, created: true };
    });
    const { row, created } = result;
    const headers: Headers = { 'content-type': row.contentType, 'stream-next-offset': formatOffset(row.tail) };
    if (created) headers.location = `${origin(req)}${path}`;
    if (row.closed) headers['stream-closed'] = 'true';
    this.reply(res, created ? 201 : 200, headers);
  }

  // ---------------------------------------------------------------- POST

  private async append(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const close = isTrue(header(req, 'stream-closed'));
    const producerId = header(req, 'producer-id');
    const epochHeader = header(req, 'producer-epoch');
    const seqHeader = header(req, 'producer-seq');
    const anyProducer = producerId !== undefined || epochHeader !== undefined || seqHeader !== undefined;
    const allProducer = producerId !== undefined && epochHeader !== undefined && seqHeader !== undefined;
    if (anyProducer && !allProducer) throw new HttpFailure(400, 'Send Producer-Id, Producer-Epoch and Producer-Seq together');
    if (allProducer && producerId === '') throw new HttpFailure(400, 'Producer-Id must not be empty');
    const producerEpoch = allProducer ? parseCounter(epochHeader!, 'Producer-Epoch') : null;
    const producerSeq = allProducer ? parseCounter(seqHeader!, 'Producer-Seq') : null;
    const seq = header(req, 'stream-seq') ?? null;
    const contentTypeHeader = header(req, 'content-type');
    const body = await this.readBody(req);

    const item: AppendItem = {
      path,
      data: null,
      contentType: null,
      invalid: null,
      seq,
      producerId: allProducer ? producerId! : null,
      producerEpoch,
      producerSeq,
      close,
    };
    if (body.length === 0) {
      if (!close) throw new HttpFailure(400, 'An append needs a body (or Stream-Closed: true to close the stream)');
    } else {
      if (!contentTypeHeader || mediaType(contentTypeHeader) === '') throw new HttpFailure(400, 'An append with a body needs a Content-Type');
      item.contentType = mediaType(contentTypeHeader);
      item.data = body;
      if (item.contentType === 'application/json') {
        const encoded = encodeJsonBody(body, false);
        if (encoded.ok) item.data = encoded.bytes;
        else item.invalid = encoded.reason;
      }
    }
    const outcome = await this.batcher.append(item);
    if (outcome.status === 'ok' && item.data !== null && outcome.streamId !== null && outcome.tail !== null) {
      this.cache.add(outcome.streamId, outcome.tail - item.data.length, [{ end: outcome.tail, data: item.data }]);
    }
    this.replyToAppend(res, item, outcome);
  }

  private replyToAppend(res: ServerResponse, item: AppendItem, outcome: AppendOutcome): void {
    const text = { 'content-type': 'text/plain' };
    const offset: Headers = outcome.tail === null ? {} : { 'stream-next-offset': formatOffset(outcome.tail) };
    const closedHeader: Headers = outcome.closed ? { 'stream-closed': 'true' } : {};
    switch (outcome.status) {
      case 'ok': {
        const headers: Headers = { ...offset, ...closedHeader };
        if (item.producerId !== null) {
          headers['producer-epoch'] = String(outcome.producerEpoch);
          headers['producer-seq'] = String(outcome.producerSeq);
        }
        return this.reply(res, item.producerId !== null && item.data !== null ? 200 : 204, headers);
      }
      case 'duplicate':
        return this.reply(res, 204, {
          ...offset,
          ...closedHeader,
          'producer-epoch': String(outcome.producerEpoch),
          'producer-seq': String(outcome.producerSeq),
        });
      case 'not_found':
        return this.reply(res, 404, text, 'Stream not found');
      case 'gone':
        return this.reply(res, 410, text, 'Stream is gone');
      case 'closed':
        return this.reply(res, 409, { ...text, ...offset, 'stream-closed': 'true' }, 'Stream is closed');
      case 'content_type':
        return this.reply(res, 409, text, 'Content-Type does not match the stream');
      case 'stale_epoch':
        return this.reply(res, 403, { ...text, 'producer-epoch': String(outcome.producerEpoch) }, 'Stale producer epoch: a newer one took over');
      case 'epoch_seq':
        return this.reply(res, 400, text, 'A new producer epoch must start at Producer-Seq 0');
      case 'gap':
        return this.reply(
          res,
          409,
          { ...text, 'producer-expected-seq': String(outcome.expectedSeq), 'producer-received-seq': String(outcome.producerSeq) },
          'Producer sequence gap',
        );
      case 'seq_conflict':
        return this.reply(res, 409, text, 'Stream-Seq must increase');
      case 'invalid_json':
        return this.reply(res, 400, text, 'The body is not valid JSON');
      case 'empty_array':
        return this.reply(res, 400, text, 'An append of an empty JSON array has nothing to append');
    }
  }

  // ---------------------------------------------------------------- HEAD

  private async head(path: string, res: ServerResponse): Promise<void> {
    const row = await this.live(path);
    const headers: Headers = {
      'content-type': row.contentType,
      'stream-next-offset': formatOffset(row.tail),
      'cache-control': 'no-store',
      etag: etag(row, '-1', row.tail, row.closed),
    };
    if (row.closed) headers['stream-closed'] = 'true';
    if (row.ttlSeconds !== null) headers['stream-ttl'] = String(row.ttlSeconds);
    if (row.expiresAt !== null) headers['stream-expires-at'] = row.expiresAt;
    this.reply(res, 200, headers);
  }

  // ---------------------------------------------------------------- DELETE

  private async remove(path: string, res: ServerResponse): Promise<void> {
    await this.store.transaction(async (client) => {
      const row = await this.store.lock(path, client);
      if (!row) throw new HttpFailure(404, 'Stream not found');
      if (row.softDeleted) throw new HttpFailure(410, 'Stream is gone');
      if (row.expired) {
        await this.expire(row, client);
        throw new HttpFailure(404, 'Stream not found');
      }
      await this.store.remove(row, client);
    });
    this.reply(res, 204, {});
  }

  // ---------------------------------------------------------------- GET

  private async read(path: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const offsets = url.searchParams.getAll('offset');
    if (offsets.length > 1) throw new HttpFailure(400, 'Give one offset');
    const offset = offsets[0];
    let position: number | undefined;
    if (offset !== undefined && offset !== OFFSET_BEGINNING && offset !== OFFSET_NOW) {
      position = parseOffset(offset);
      if (position === undefined) throw new HttpFailure(400, 'offset must be -1, now, or an offset this server returned');
    }
    const live = url.searchParams.get('live');
    if (live !== null && live !== 'long-poll' && live !== 'sse') throw new HttpFailure(400, 'live must be long-poll or sse');
    if (live !== null && offset === undefined) throw new HttpFailure(400, `live=${live} needs an offset`);
    const cursor = url.searchParams.get('cursor');
    const row = await this.live(path);
    if (row.ttlSeconds !== null) await this.store.touch(row.id);
    const start = offset === OFFSET_NOW ? row.tail : (position ?? 0);
    if (live === 'sse') return this.sse(path, row, start, cursor, res);

    if (offset === OFFSET_NOW && live === null) {
      const headers: Headers = {
        'content-type': row.contentType,
        'stream-next-offset': formatOffset(row.tail),
        'stream-up-to-date': 'true',
        'cache-control': 'no-store',
      };
      if (row.closed) headers['stream-closed'] = 'true';
      return this.reply(res, 200, headers, isJsonType(row.contentType) ? '[]' : '');
    }

    let current = row;
    let messages = start < current.tail ? await this.messages(current, start) : [];
    if (live === 'long-poll' && messages.length === 0) {
      const waited = await this.waitForData(path, current, start, res);
      if (waited === undefined) return;
      current = waited;
      if (current.tail <= start) {
        const headers: Headers = { 'stream-next-offset': formatOffset(start), 'stream-up-to-date': 'true' };
        if (current.closed) headers['stream-closed'] = 'true';
        else headers['stream-cursor'] = responseCursor(cursor);
        return this.reply(res, 204, headers);
      }
      messages = await this.messages(current, start);
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
      headers['cache-control'] = CATCH_UP_CACHE_CONTROL;
    }
    if (header(req, 'if-none-match') === headers.etag) return this.reply(res, 304, { etag: headers.etag });
    const parts = messages.map((m) => m.data);
    this.reply(res, 200, headers, isJsonType(current.contentType) ? jsonArray(parts) : Buffer.concat(parts));
  }

  /**
   * Waits until the stream has data past `start`, is closed, or the long-poll timeout passes; the
   * wait is armed before the table is read again, so an append in between is never missed.
   * Returns the stream as last read, or undefined when the client went away.
   */
  private async waitForData(path: string, row: StreamRow, start: number, res: ServerResponse): Promise<StreamRow | undefined> {
    const deadline = Date.now() + this.options.longPollTimeout;
    let current = row;
    while (!current.closed && current.tail <= start) {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.closing) break;
      const wait = this.waiters.arm(current.id);
      const gone = () => wait.cancel();
      res.on('close', gone);
      try {
        const fresh = await this.store.get(path);
        if (!fresh || fresh.id !== row.id || fresh.softDeleted) throw new HttpFailure(404, 'Stream not found');
        current = fresh;
        if (current.closed || current.tail > start) break;
        if (!(await wait.wait(remaining)) && Date.now() >= deadline) break;
      } finally {
        wait.cancel();
        res.off('close', gone);
      }
      if (res.destroyed) return undefined;
    }
    return current;
  }

  private async sse(path: string, row: StreamRow, start: number, cursor: string | null, res: ServerResponse): Promise<void> {
    const json = isJsonType(row.contentType);
    const base64 = !json && !mediaType(row.contentType).startsWith('text/');
    const headers: Headers = {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    };
    if (base64) headers['stream-sse-data-encoding'] = 'base64';
    res.writeHead(200, { ...BASE_HEADERS, ...headers });
    res.flushHeaders();
    const endAt = Date.now() + this.options.sseMaxDuration;
    let position = start;
    let current = row;
    let announced = false;
    let gone = false;
    res.on('close', () => (gone = true));
    const control = (at: number, tail: number, closed: boolean): string => {
      if (closed && at >= tail) return sseEvent('control', JSON.stringify({ streamNextOffset: formatOffset(at), streamClosed: true }));
      const fields: Record<string, unknown> = { streamNextOffset: formatOffset(at), streamCursor: responseCursor(cursor) };
      if (at >= tail) fields.upToDate = true;
      return sseEvent('control', JSON.stringify(fields));
    };
    while (!gone && !this.closing) {
      const messages = position < current.tail ? await this.messages(current, position) : [];
      let out = '';
      for (const message of messages) {
        const payload = json ? jsonArray([message.data]).toString('utf8') : base64 ? message.data.toString('base64') : message.data.toString('utf8');
        out += sseEvent('data', payload);
        position = message.end;
        out += control(position, current.tail, current.closed);
      }
      if (messages.length === 0 && !announced) out += control(position, current.tail, current.closed);
      announced = true;
      if (out) res.write(out);
      if (current.closed && position >= current.tail) break;
      if (position < current.tail) continue;
      const remaining = Math.min(this.options.longPollTimeout, endAt - Date.now());
      if (remaining <= 0) break;
      const wait = this.waiters.arm(current.id);
      const stop = () => wait.cancel();
      res.on('close', stop);
      let changed = true;
      try {
        const fresh = await this.store.get(path);
        if (!fresh || fresh.id !== row.id || fresh.softDeleted) break;
        if (fresh.tail === current.tail && fresh.closed === current.closed) changed = await wait.wait(remaining);
        if (changed) {
          const after = await this.store.get(path);
          if (!after || after.id !== row.id || after.softDeleted) break;
          current = after;
        }
      } finally {
        wait.cancel();
        res.off('close', stop);
      }
      if (!changed && !gone) res.write(control(position, current.tail, current.closed));
    }
    res.end();
  }

  // ---------------------------------------------------------------- shared

  /** The stream at `path` if it exists, is not expired and not deleted; else the matching failure. */
  private async live(path: string): Promise<StreamRow> {
    const row = await this.store.get(path);
    if (!row) throw new HttpFailure(404, 'Stream not found');
    if (row.expired) {
      await this.store.expire(path);
      if (row.refCount > 0) throw new HttpFailure(410, 'Stream is gone');
      throw new HttpFailure(404, 'Stream not found');
    }
    if (row.softDeleted) throw new HttpFailure(410, 'Stream is gone');
    return row;
  }

  /** An expired stream is deleted, or soft-deleted while forks still read through it. */
  private async expire(row: StreamRow, client: pg.PoolClient): Promise<void> {
    if (row.softDeleted) return;
    await this.store.remove(row, client);
  }

  /** One chunk of messages of `row` past `from`, up to the tail read with `row`. */
  private async messages(row: StreamRow, from: number): Promise<StoredMessage[]> {
    const own = row.forkedFrom === null || from >= (row.forkOffset ?? 0);
    if (own) {
      const cached = this.cache.read(row.id, from, row.tail, this.options.readChunkBytes);
      if (cached) return cached;
    }
    const messages = await this.store.read(await this.segments(row, row.tail), from, this.options.readChunkBytes);
    if (own) this.cache.add(row.id, from, messages);
    return messages;
  }

  /** The pieces of a stream's offset space, oldest first: its sources' up to each fork point, then its own. */
  private async segments(row: StreamRow, tail: number, client?: pg.PoolClient): Promise<ReadSegment[]> {
    const segments: ReadSegment[] = [{ streamId: row.id, lo: row.forkOffset ?? 0, hi: tail }];
    let child: { forkedFrom: number | null; forkOffset: number | null } = row;
    // Bounded: a process that reads very many forks only re-reads their sources' rows.
    if (this.lineage.size > LINEAGE_CACHE_SIZE) this.lineage.clear();
    while (child.forkedFrom !== null) {
      const parentId = child.forkedFrom;
      let parent = this.lineage.get(parentId);
      if (!parent) {
        const parentRow = await this.store.getById(parentId, client);
        if (!parentRow) break;
        parent = { forkedFrom: parentRow.forkedFrom, forkOffset: parentRow.forkOffset };
        this.lineage.set(parentId, parent);
      }
      segments.unshift({ streamId: parentId, lo: parent.forkOffset ?? 0, hi: child.forkOffset ?? 0 });
      child = parent;
    }
    return segments;
  }

  private readBody(req: IncomingMessage): Promise<Buffer> {
    const limit = this.options.maxAppendBytes;
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      return Promise.reject(new HttpFailure(413, `The body exceeds ${limit} bytes`));
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          req.removeAllListeners('data');
          req.resume();
          reject(new HttpFailure(413, `The body exceeds ${limit} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  private reply(res: ServerResponse, status: number, headers: Headers, body?: string | Buffer): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
    const all: Headers = { ...BASE_HEADERS, ...headers };
    if (payload !== undefined && status !== 204 && status !== 304) all['content-length'] = String(payload.length);
    res.writeHead(status, all);
    res.end(status === 204 || status === 304 ? undefined : payload);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

function parseCounter(value: string, name: string): number {
  const n = Number(value);
  if (!INTEGER_PATTERN.test(value) || !Number.isSafeInteger(n)) throw new HttpFailure(400, `${name} must be an integer from 0 to 2^53-1`);
  return n;
}

/** `Stream-Forked-From` names the source by path, or by absolute URL. */
function streamPathOf(value: string): string {
  if (/^https?:\/\//i.test(value)) {
    try {
      return new URL(value).pathname;
    } catch {
      return value;
    }
  }
  return value;
}

function origin(req: IncomingMessage): string {
  const proto = header(req, 'x-forwarded-proto')?.split(',')[0].trim() || ((req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');
  return `${proto}://${header(req, 'host') ?? 'localhost'}`;
}

/** Identifies the bytes of a response: the stream id (not its path, which a new stream may reuse) and the range. */
function etag(row: StreamRow, start: string, end: number, eof: boolean): string {
  return `"${row.id}:${start}:${formatOffset(end)}${eof ? ':c' : ''}"`;
}

/** The first `count` bytes (or JSON messages) of a stored message, for a fork's sub-offset. */
function cutPrefix(data: Buffer, count: number, json: boolean): Buffer {
  if (!json) {
    if (count > data.length) throw new HttpFailure(400, 'Stream-Fork-Sub-Offset is past the end of the message at the fork offset');
    return data.subarray(0, count);
  }
  const values = JSON.parse(`[${data.toString('utf8').replace(/,$/, '')}]`) as unknown[];
  if (count > values.length) throw new HttpFailure(400, 'Stream-Fork-Sub-Offset is past the messages at the fork offset');
  return Buffer.from(values.slice(0, count).map((v) => JSON.stringify(v)).join(',') + ',', 'utf8');
}
