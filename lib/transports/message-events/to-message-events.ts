import { defer, map, type Observable } from 'rxjs';
import { isFirehoseReset, type FirehoseStreamItem } from '../../protocol/firehose-event.js';
import { SSE_RESET_EVENT } from '../../protocol/sse-frames.js';
import type { FirehoseMessageEvent } from './firehose-message-event.interface.js';

/**
 * Maps stream items to Nest `MessageEvent`s with an explicit `id` on every one: without it Nest
 * numbers events itself, and that counter would become the browser's `Last-Event-ID`. A reset
 * carries the subscription's cursor (the last id sent, or the one it resumed from), as the built-in
 * route's reset frame does: the reset of one stream must not move the resume point past events of
 * the others not yet sent.
 */
export function toMessageEvents<T>(
  items: Observable<FirehoseStreamItem<T>>,
  lastEventId: number | undefined,
): Observable<FirehoseMessageEvent<T>> {
  return defer(() => {
    let cursor = lastEventId;
    return items.pipe(
      map((item): FirehoseMessageEvent<T> => {
        if (isFirehoseReset(item)) {
          return {
            id: String(cursor ?? 0),
            type: SSE_RESET_EVENT,
            data: { stream: item.stream, last_event_id: item.lastEventId, reason: item.reason },
          };
        }
        cursor = item.id;
        return { id: String(item.id), type: item.stream, data: { data: item.data, channel_id: item.streamId, sequence: item.sequence } };
      }),
    );
  });
}
