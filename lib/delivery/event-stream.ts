import { Observable } from 'rxjs';
import { isFirehoseReset, type FirehoseStreamItem } from '../interfaces/firehose-event.interface.js';
import type { FirehoseStore } from '../store/firehose.store.js';
import type { FirehoseHub } from './firehose-hub.js';

/**
 * Subscribe, replay, go live, in that order: the subscriber is registered first (live events are
 * held), the table is replayed after the cursor, then the held events are released, dropping the
 * ids replay already sent. Ids are commit-ordered, so a held event at or below the cursor was
 * necessarily in the replay, and one above it necessarily was not: no gap and no duplicate.
 */
export function createEventStream(
  hub: FirehoseHub,
  store: FirehoseStore,
  streams: string[],
  lastEventId: number | undefined,
  replayBatchSize: number,
  onLive?: () => void,
): Observable<FirehoseStreamItem> {
  return new Observable<FirehoseStreamItem>((subscriber) => {
    let cursor = lastEventId ?? 0;
    const floors = new Map<string, number>();
    let held: FirehoseStreamItem[] | undefined = [];
    let closed = false;

    const emit = (item: FirehoseStreamItem): void => {
      if (isFirehoseReset(item)) {
        floors.set(item.stream, Math.max(floors.get(item.stream) ?? 0, item.lastEventId));
      } else {
        if (item.id <= cursor || item.id <= (floors.get(item.stream) ?? 0)) return;
        cursor = item.id;
      }
      subscriber.next(item);
    };

    const unsubscribe = hub.subscribe(streams, {
      next: (item) => (held ? held.push(item) : emit(item)),
      complete: () => subscriber.complete(),
    });

    const replay = async (): Promise<void> => {
      const top = await store.maxId();
      if (lastEventId === undefined) {
        // Live only: the hub may still hold events committed before this subscription; skip them.
        cursor = top;
        return;
      }
      if (cursor > top) {
        // The client's cursor is from another database or a restore: nothing it holds can be trusted.
        for (const stream of streams) emit({ type: 'reset', stream, lastEventId: top, reason: 'cursor-ahead' });
        cursor = top;
        return;
      }
      while (!closed) {
        const afters = streams.map((stream) => Math.max(cursor, floors.get(stream) ?? 0));
        const page = await store.readAfter(streams, afters, replayBatchSize);
        if (closed) return;
        page.resets.forEach(emit);
        page.events.forEach(emit);
        if (page.events.length < replayBatchSize) return;
      }
    };

    replay().then(
      () => {
        const release = held ?? [];
        held = undefined;
        if (closed) return;
        release.forEach(emit);
        if (!closed) onLive?.();
      },
      (error) => subscriber.error(error),
    );

    return () => {
      closed = true;
      unsubscribe();
    };
  });
}
