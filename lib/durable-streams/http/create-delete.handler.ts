import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { parseContentType } from '../content-type.js';
import { MAX_STREAM_PATH_LENGTH } from '../durable-streams.constants.js';
import { StreamRequestError } from '../errors/stream-request.error.js';
import { encodeJsonBody, isJsonType, mediaType } from '../json-messages.js';
import type { MessageReader } from '../message-reader.js';
import type { MessageStore } from '../store/message.store.js';
import { RETRY_TRANSACTION, type StreamStore } from '../store/stream.store.js';
import type { StreamRow } from '../store/stream-row.js';
import type { StreamQuotas } from '../stream-quotas.js';
import { formatOffset, parseOffset } from '../stream-offset.js';
import { existingStream } from './existing-stream.js';
import { etag, header, isTrue, reply, type Headers } from './http-response.js';
import { readBody } from './request-body.js';
import { streamLocation } from './stream-location.js';
import { requestLifetime } from './stream-lifetime.js';

const INTEGER_PATTERN = /^(0|[1-9]\d*)$/;
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
/** A PUT runs again, too, when a concurrent PUT created its path first (unique violation): it finds the stream then. */
const RETRY_CREATE: ReadonlySet<string> = new Set([...RETRY_TRANSACTION, '23505']);

/** A stream's life over HTTP: PUT creates it (or a fork of another), HEAD describes it, DELETE removes it. */
export class CreateDeleteHandler {
  constructor(
    private readonly streams: StreamStore,
    private readonly messages: MessageStore,
    private readonly reader: MessageReader,
    private readonly maxAppendBytes: number,
    private readonly quotas: StreamQuotas,
  ) {}

  /**
   * PUT: creates the stream, or a fork of `Stream-Forked-From` (whose path, `sourcePath`, the access
   * guard resolved); 200 when it exists with the same configuration.
   */
  async create(path: string, sourcePath: string | null, req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The path is the streams table's unique key, and a btree key has a size limit of its own.
    if (path.length > MAX_STREAM_PATH_LENGTH) {
      req.resume();
      throw new StreamRequestError(414, `A stream path is at most ${MAX_STREAM_PATH_LENGTH} characters`);
    }
    const forkedFromHeader = header(req, 'stream-forked-from');
    const forkOffsetHeader = header(req, 'stream-fork-offset');
    const subOffsetHeader = header(req, 'stream-fork-sub-offset');
    const isFork = forkedFromHeader !== undefined;
    let contentType = requestContentType(req);
    if (contentType === undefined && !isFork) contentType = DEFAULT_CONTENT_TYPE;
    const { ttlSeconds, expiresAt: expiresHeader } = requestLifetime(req);
    let forkOffset: number | null = null;
    if (forkOffsetHeader !== undefined) {
      const parsed = parseOffset(forkOffsetHeader);
      if (parsed === undefined) throw new StreamRequestError(400, 'Stream-Fork-Offset is not an offset of this server');
      forkOffset = parsed;
    }
    let subOffset: number | null = null;
    if (subOffsetHeader !== undefined) {
      if (!isFork) throw new StreamRequestError(400, 'Stream-Fork-Sub-Offset needs Stream-Forked-From');
      if (!INTEGER_PATTERN.test(subOffsetHeader) || !Number.isSafeInteger(Number(subOffsetHeader))) {
        throw new StreamRequestError(400, 'Stream-Fork-Sub-Offset must be a non-negative integer');
      }
      subOffset = Number(subOffsetHeader);
    }
    const closed = isTrue(header(req, 'stream-closed'));
    const body = await readBody(req, this.maxAppendBytes);
    await this.quotas.checkTotal(body.length);

    const result = await this.streams.transaction(async (client) => {
      let existing = await this.streams.lock(path, client);
      if (existing?.expired) {
        await this.expire(existing, client);
        existing = existing.refCount > 0 ? { ...existing, softDeleted: true } : undefined;
      }
      if (existing?.softDeleted) {
        throw new StreamRequestError(409, 'The stream was deleted but forks still read it: its path is taken until they are deleted');
      }
      if (existing) {
        const source = sourcePath === null ? null : await this.streams.lock(sourcePath, client);
        const same =
          mediaType(contentType ?? existing.contentType) === mediaType(existing.contentType) &&
          ttlSeconds === existing.ttlSeconds &&
          (expiresHeader ?? null) === existing.expiresAt &&
          closed === existing.closed &&
          (sourcePath === null ? existing.forkedFrom === null : source?.id === existing.forkedFrom) &&
          (forkOffset === null || forkOffset === existing.forkOffset) &&
          (subOffset ?? 0) === (existing.forkSubOffset ?? 0);
        if (!same) throw new StreamRequestError(409, 'The stream exists with a different configuration');
        return { row: existing, created: false };
      }
      let forkSpec: { source: StreamRow; offset: number; prefix: Buffer | null } | null = null;
      let ttl = ttlSeconds;
      let expiresAt = expiresHeader ?? null;
      if (sourcePath !== null) {
        const source = await this.streams.lock(sourcePath, client);
        if (!source || (source.expired && source.refCount === 0)) throw new StreamRequestError(404, 'The source stream does not exist');
        if (source.softDeleted || source.expired) throw new StreamRequestError(409, 'The source stream was deleted');
        if (contentType !== undefined && mediaType(contentType) !== mediaType(source.contentType)) {
          throw new StreamRequestError(409, 'A fork has the content type of its source');
        }
        contentType ??= source.contentType;
        const offset = forkOffset ?? source.tail;
        const segments = await this.reader.segments(source, source.tail, client);
        if (offset > source.tail || !(await this.messages.isBoundary(segments, offset, client))) {
          throw new StreamRequestError(400, 'Stream-Fork-Offset is beyond the source stream or not an offset of it');
        }
        let prefix: Buffer | null = null;
        if (subOffset !== null && subOffset > 0) {
          const first = await this.messages.firstAfter(segments, offset, client);
          if (!first) throw new StreamRequestError(400, 'Stream-Fork-Sub-Offset points past the end of the source stream');
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
        if (!encoded.ok) {
          throw new StreamRequestError(
            400,
            encoded.reason === 'json_too_deep' ? 'The JSON body is nested too deeply' : 'The body is not valid JSON',
          );
        }
        initial = encoded.bytes.length > 0 ? encoded.bytes : null;
      }
      const parts = [forkSpec?.prefix ?? null, initial].filter((part): part is Buffer => part !== null && part.length > 0);
      this.quotas.checkStream(parts.reduce((sum, part) => sum + part.length, 0));
      const row = await this.streams.insert(
        {
          path,
          contentType: ct,
          ttlSeconds: ttl,
          expiresAt,
          closed,
          forkedFrom: forkSpec?.source.id ?? null,
          forkOffset: forkSpec?.offset ?? null,
          forkSubOffset: forkSpec && subOffset !== null && subOffset > 0 ? subOffset : null,
          initial: parts,
        },
        client,
      );
      return { row, created: true };
    }, RETRY_CREATE);
    const { row, created } = result;
    if (created) this.quotas.added(row.tail - (row.forkOffset ?? 0));
    const headers: Headers = { 'content-type': row.contentType, 'stream-next-offset': formatOffset(row.tail) };
    if (created) headers.location = streamLocation(req, path);
    if (row.closed) headers['stream-closed'] = 'true';
    reply(res, created ? 201 : 200, headers);
  }

  /** HEAD: the stream's tail, state and lifetime, never cached. */
  async head(path: string, res: ServerResponse): Promise<void> {
    const row = await existingStream(this.streams, path);
    const headers: Headers = {
      'content-type': row.contentType,
      'stream-next-offset': formatOffset(row.tail),
      'cache-control': 'no-store',
      etag: etag(row, '-1', row.tail, row.closed),
    };
    if (row.closed) headers['stream-closed'] = 'true';
    if (row.ttlSeconds !== null) headers['stream-ttl'] = String(row.ttlSeconds);
    if (row.expiresAt !== null) headers['stream-expires-at'] = row.expiresAt;
    reply(res, 200, headers);
  }

  /** DELETE: removes the stream (soft while forks still read through it). */
  async remove(path: string, res: ServerResponse): Promise<void> {
    await this.streams.transaction(async (client) => {
      const row = await this.streams.lock(path, client);
      if (!row) throw new StreamRequestError(404, 'Stream not found');
      if (row.softDeleted) throw new StreamRequestError(410, 'Stream is gone');
      if (row.expired) {
        await this.expire(row, client);
        throw new StreamRequestError(404, 'Stream not found');
      }
      await this.streams.remove(row, client);
    });
    reply(res, 204, {});
  }

  /** An expired stream is deleted, or soft-deleted while forks still read through it. */
  private async expire(row: StreamRow, client: pg.PoolClient): Promise<void> {
    if (row.softDeleted) return;
    await this.streams.remove(row, client);
  }
}

/** The request's Content-Type, normalized; undefined when it has none; 400 when it is not a media type. */
function requestContentType(req: IncomingMessage): string | undefined {
  const value = header(req, 'content-type');
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = parseContentType(value);
  if (!parsed.ok) throw new StreamRequestError(400, parsed.reason);
  return parsed.value;
}

/** The first `count` bytes (or JSON messages) of a stored message, for a fork's sub-offset. */
function cutPrefix(data: Buffer, count: number, json: boolean): Buffer {
  if (!json) {
    if (count > data.length) throw new StreamRequestError(400, 'Stream-Fork-Sub-Offset is past the end of the message at the fork offset');
    return data.subarray(0, count);
  }
  let values: unknown[];
  let text: string;
  try {
    values = JSON.parse(`[${data.toString('utf8').replace(/,$/, '')}]`) as unknown[];
    text = values
      .slice(0, count)
      .map((v) => JSON.stringify(v))
      .join(',');
  } catch {
    // Only a message nested too deeply for JSON.stringify here gets this far: stored messages are valid JSON.
    throw new StreamRequestError(400, 'The messages at the fork offset are nested too deeply to split');
  }
  if (count > values.length) throw new StreamRequestError(400, 'Stream-Fork-Sub-Offset is past the messages at the fork offset');
  return Buffer.from(text + ',', 'utf8');
}
