import type { Observable, Subscription } from 'rxjs';

/** Subscribes and gathers items until `count` arrived or `timeoutMs` passed (then rejects with what it has). */
export function collect<T>(source: Observable<T>, count: number, timeoutMs = 15_000): { items: T[]; done: Promise<T[]>; stop(): void } {
  const items: T[] = [];
  let subscription: Subscription | undefined;
  const done = new Promise<T[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription?.unsubscribe();
      reject(new Error(`collected ${items.length} of ${count} items within ${timeoutMs} ms`));
    }, timeoutMs);
    subscription = source.subscribe({
      next: (item) => {
        items.push(item);
        if (items.length >= count) {
          clearTimeout(timer);
          queueMicrotask(() => subscription?.unsubscribe());
          resolve(items);
        }
      },
      error: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
  });
  return { items, done, stop: () => subscription?.unsubscribe() };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves with `promise`'s value, or rejects once `timeoutMs` passed: for a test whose claim is
 * that something happens by itself (a close, a completion), so a miss fails with a message
 * instead of hanging until Jest's own timeout.
 */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it returns true or the time runs out. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * `collect` on `firehose.stream(streams)` (live only), resolved once the subscription is live. A
 * stream without a cursor delivers the events committed after it starts, which is when its
 * `onLive` fires: a broadcast made before that may or may not be delivered.
 */
export async function collectLive<T = unknown>(
  firehose: { stream(streams: string | string[], options: { onLive: () => void }): Observable<T> },
  streams: string | string[],
  count: number,
  timeoutMs?: number,
): Promise<{ items: T[]; done: Promise<T[]>; stop(): void }> {
  let live!: () => void;
  const started = new Promise<void>((resolve) => (live = resolve));
  const collector = collect(firehose.stream(streams, { onLive: live }), count, timeoutMs);
  await Promise.race([started, collector.done]);
  return collector;
}
