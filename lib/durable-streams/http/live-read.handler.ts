import type { ServerResponse } from 'node:http';
import { StreamRequestError } from '../errors/stream-request.error.js';
import { isJsonType, jsonArray, mediaType } from '../json-messages.js';
import type { MessageReader } from '../message-reader.js';
import { sseEvent } from '../sse-encoding.js';
import type { StoredMessage } from '../store/message.store.js';
import type { StreamStore } from '../store/stream.store.js';
import type { StreamRow } from '../store/stream-row.js';
import { responseCursor } from '../stream-cursor.js';
import { formatOffset } from '../stream-offset.js';
import type { StreamWaiters } from '../stream-waiters.js';
import { reply, type Headers } from './http-response.js';
import type { OpenReadLimit } from './open-read-limit.js';
import type { OpenResponses } from './open-responses.js';

/**
 * The live modes of a read: a long-poll waits for data past its offset; SSE streams every message
 * as it is appended. Both are woken by the stream's NOTIFY and re-read the table then.
 */
export class LiveReadHandler {
  constructor(
    private readonly streams: StreamStore,
    private readonly reader: MessageReader,
    private readonly waiters: StreamWaiters,
    private readonly responses: OpenResponses,
    private readonly options: { longPollTimeout: number; sseMaxDuration: number },
    private readonly openReads: OpenReadLimit,
  ) {}

  /**
   * A long-poll that found nothing past `start`: waits, then returns the stream and its new
   * messages for the caller to answer, or answers 204 itself (nothing new in time, or closed),
   * or returns undefined when it answered or the client went away.
   */
  async longPoll(
    path: string,
    row: StreamRow,
    start: number,
    cursor: string | null,
    res: ServerResponse,
  ): Promise<{ row: StreamRow; messages: StoredMessage[] } | undefined> {
    this.openReads.enter();
    let current: StreamRow | undefined;
    try {
      current = await this.waitForData(path, row, start, res);
    } finally {
      this.openReads.leave();
    }
    if (current === undefined) return undefined;
    if (current.tail <= start) {
      const headers: Headers = { 'stream-next-offset': formatOffset(start), 'stream-up-to-date': 'true' };
      if (current.closed) headers['stream-closed'] = 'true';
      else headers['stream-cursor'] = responseCursor(cursor);
      reply(res, 204, headers);
      return undefined;
    }
    return { row: current, messages: await this.reader.messages(current, start) };
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
      if (remaining <= 0 || this.responses.closing) break;
      const wait = this.waiters.arm(current.id);
      const gone = () => wait.cancel();
      res.on('close', gone);
      try {
        const fresh = await this.streams.get(path);
        if (!fresh || fresh.id !== row.id || fresh.softDeleted) throw new StreamRequestError(404, 'Stream not found');
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

  /**
   * `live=sse`: data and control events from `start` on, a control event after each wait that
   * found nothing, until the stream is closed and read, `sseMaxDuration` passes, or shutdown.
   */
  async sse(path: string, row: StreamRow, start: number, cursor: string | null, res: ServerResponse): Promise<void> {
    this.openReads.enter();
    try {
      await this.streamEvents(path, row, start, cursor, res);
    } finally {
      this.openReads.leave();
    }
  }

  private async streamEvents(path: string, row: StreamRow, start: number, cursor: string | null, res: ServerResponse): Promise<void> {
    const json = isJsonType(row.contentType);
    const base64 = !json && !mediaType(row.contentType).startsWith('text/');
    const headers: Headers = {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    };
    if (base64) headers['stream-sse-data-encoding'] = 'base64';
    res.writeHead(200, headers);
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
    while (!gone && !this.responses.closing) {
      const messages = position < current.tail ? await this.reader.messages(current, position) : [];
      let out = '';
      for (const message of messages) {
        const payload = json
          ? jsonArray([message.data]).toString('utf8')
          : base64
            ? message.data.toString('base64')
            : message.data.toString('utf8');
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
        const fresh = await this.streams.get(path);
        if (!fresh || fresh.id !== row.id || fresh.softDeleted) break;
        if (fresh.tail === current.tail && fresh.closed === current.closed) changed = await wait.wait(remaining);
        if (changed) {
          const after = await this.streams.get(path);
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
}
