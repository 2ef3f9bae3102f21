import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { parseLastEventId } from '../sse/sse-request.js';

/**
 * The client's resume cursor in an `@Sse()` handler: the `Last-Event-ID` header (what
 * EventSource sends when it reconnects) or else the `last_event_id` query parameter; `undefined`
 * when neither is there. A value that is not a non-negative integer answers 400.
 *
 * ```ts
 * @Sse('orders/events')
 * events(@LastEventId() lastEventId?: number) {
 *   return this.firehose.messageEvents('orders', { lastEventId });
 * }
 * ```
 *
 * @publicApi
 */
export const LastEventId = createParamDecorator((_data: unknown, context: ExecutionContext): number | undefined =>
  parseLastEventId(context.switchToHttp().getRequest<IncomingMessage>()),
);
