import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppendBatcher } from '../append-batcher.js';
import type { AppendRateLimiter } from '../append-rate-limiter.js';
import { parseContentType } from '../content-type.js';
import { MAX_PRODUCER_ID_LENGTH } from '../durable-streams.constants.js';
import { StreamRequestError } from '../errors/stream-request.error.js';
import { encodeJsonBody } from '../json-messages.js';
import type { MessageReader } from '../message-reader.js';
import type { AppendItem, AppendOutcome } from '../store/append.store.js';
import { formatOffset } from '../stream-offset.js';
import type { StreamQuotas } from '../stream-quotas.js';
import { header, isTrue, reply, type Headers } from './http-response.js';
import { readBody } from './request-body.js';

const INTEGER_PATTERN = /^\d+$/;

/** POST: an append, a close, or both, with the idempotent-producer headers; through the group-commit batcher. */
export class AppendHandler {
  constructor(
    private readonly batcher: AppendBatcher,
    private readonly reader: MessageReader,
    private readonly maxAppendBytes: number,
    private readonly quotas: StreamQuotas,
    private readonly rateLimiter?: AppendRateLimiter,
  ) {}

  async append(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.rateLimiter) {
      try {
        this.rateLimiter.take(path);
      } catch (error) {
        req.resume();
        throw error;
      }
    }
    const close = isTrue(header(req, 'stream-closed'));
    const producerId = header(req, 'producer-id');
    const epochHeader = header(req, 'producer-epoch');
    const seqHeader = header(req, 'producer-seq');
    const anyProducer = producerId !== undefined || epochHeader !== undefined || seqHeader !== undefined;
    const allProducer = producerId !== undefined && epochHeader !== undefined && seqHeader !== undefined;
    if (anyProducer && !allProducer) throw new StreamRequestError(400, 'Send Producer-Id, Producer-Epoch and Producer-Seq together');
    if (allProducer && producerId === '') throw new StreamRequestError(400, 'Producer-Id must not be empty');
    if (allProducer && producerId!.length > MAX_PRODUCER_ID_LENGTH) {
      throw new StreamRequestError(400, `Producer-Id is at most ${MAX_PRODUCER_ID_LENGTH} characters`);
    }
    const producerEpoch = allProducer ? parseCounter(epochHeader!, 'Producer-Epoch') : null;
    const producerSeq = allProducer ? parseCounter(seqHeader!, 'Producer-Seq') : null;
    const seq = header(req, 'stream-seq') ?? null;
    const contentTypeHeader = header(req, 'content-type');
    const body = await readBody(req, this.maxAppendBytes);

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
      if (!close) throw new StreamRequestError(400, 'An append needs a body (or Stream-Closed: true to close the stream)');
    } else {
      if (!contentTypeHeader || contentTypeHeader.trim() === '')
        throw new StreamRequestError(400, 'An append with a body needs a Content-Type');
      const parsed = parseContentType(contentTypeHeader);
      if (!parsed.ok) throw new StreamRequestError(400, parsed.reason);
      item.contentType = parsed.mediaType;
      item.data = body;
      if (item.contentType === 'application/json') {
        const encoded = encodeJsonBody(body, false);
        if (encoded.ok) item.data = encoded.bytes;
        else item.invalid = encoded.reason;
      }
    }
    if (item.data !== null && item.invalid === null) {
      this.quotas.checkStream(item.data.length);
      if (this.quotas.maxTotalBytes !== null) await this.quotas.checkTotal(item.data.length);
    }
    const outcome = await this.batcher.append(item);
    if (outcome.status === 'ok' && item.data !== null && outcome.streamId !== null && outcome.tail !== null) {
      this.reader.appended(outcome.streamId, outcome.tail - item.data.length, [{ end: outcome.tail, data: item.data }]);
      this.quotas.added(item.data.length);
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
        reply(res, item.producerId !== null && item.data !== null ? 200 : 204, headers);
        return;
      }
      case 'duplicate':
        reply(res, 204, {
          ...offset,
          ...closedHeader,
          'producer-epoch': String(outcome.producerEpoch),
          'producer-seq': String(outcome.producerSeq),
        });
        return;
      case 'not_found':
        reply(res, 404, text, 'Stream not found');
        return;
      case 'gone':
        reply(res, 410, text, 'Stream is gone');
        return;
      case 'closed':
        reply(res, 409, { ...text, ...offset, 'stream-closed': 'true' }, 'Stream is closed');
        return;
      case 'content_type':
        reply(res, 409, text, 'Content-Type does not match the stream');
        return;
      case 'stale_epoch':
        reply(res, 403, { ...text, 'producer-epoch': String(outcome.producerEpoch) }, 'Stale producer epoch: a newer one took over');
        return;
      case 'epoch_seq':
        reply(res, 400, text, 'A new producer epoch must start at Producer-Seq 0');
        return;
      case 'gap':
        reply(
          res,
          409,
          { ...text, 'producer-expected-seq': String(outcome.expectedSeq), 'producer-received-seq': String(outcome.producerSeq) },
          'Producer sequence gap',
        );
        return;
      case 'seq_conflict':
        reply(res, 409, text, 'Stream-Seq must increase');
        return;
      case 'invalid_json':
        reply(res, 400, text, 'The body is not valid JSON');
        return;
      case 'empty_array':
        reply(res, 400, text, 'An append of an empty JSON array has nothing to append');
        return;
      case 'stream_full': {
        const error = this.quotas.streamFull();
        reply(res, error.status, text, error.message);
        return;
      }
      case 'json_too_deep':
        reply(res, 400, text, 'The JSON body is nested too deeply');
        return;
    }
  }
}

function parseCounter(value: string, name: string): number {
  const n = Number(value);
  if (!INTEGER_PATTERN.test(value) || !Number.isSafeInteger(n))
    throw new StreamRequestError(400, `${name} must be an integer from 0 to 2^53-1`);
  return n;
}
