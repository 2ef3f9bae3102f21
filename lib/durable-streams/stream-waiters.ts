import type { NotificationChannelHandler } from '../listener/notification-channel-handler.interface.js';

/** A pending wait on one stream: armed before the caller re-checks the table, so no wake-up is lost. */
export interface StreamWait {
  /** Resolves true when the stream changed (or may have), false when `timeoutMs` passed first or the wait was cancelled. */
  wait(timeoutMs: number): Promise<boolean>;
  cancel(): void;
}

/**
 * Long-poll and SSE readers waiting for a stream to change, woken by the NOTIFY every append,
 * close or delete sends (from any process), through the module's shared LISTEN connection. The
 * payload is only a hint (the stream id): a woken reader reads the table.
 */
export class StreamWaiters implements NotificationChannelHandler {
  private readonly waiting = new Map<number, Set<() => void>>();
  private closed = false;

  constructor(readonly channel: string) {}

  arm(streamId: number): StreamWait {
    let woken = false;
    let settle: ((changed: boolean) => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const release = () => {
      clearTimeout(timer);
      const current = this.waiting.get(streamId);
      if (current?.delete(wake) && current.size === 0) this.waiting.delete(streamId);
    };
    // Settles the wait in progress, if any: a cancelled wait (its reader went away) resolves
    // false at once rather than never, so the reader's handler ends and frees what it holds.
    const finish = (changed: boolean) => {
      release();
      const pending = settle;
      settle = undefined;
      pending?.(changed);
    };
    const wake = () => {
      woken = true;
      finish(true);
    };
    let set = this.waiting.get(streamId);
    if (!set) this.waiting.set(streamId, (set = new Set()));
    set.add(wake);
    return {
      wait: (timeoutMs) => {
        if (woken || this.closed) {
          release();
          return Promise.resolve(true);
        }
        return new Promise<boolean>((resolve) => {
          settle = resolve;
          timer = setTimeout(() => finish(false), timeoutMs);
        });
      },
      cancel: () => finish(false),
    };
  }

  onNotification(payload: string): void {
    const id = Number(payload);
    const set = this.waiting.get(id);
    if (set) for (const wake of [...set]) wake();
  }

  /** After a (re)connect notifications may have been missed: every waiter re-reads. */
  async onListening(): Promise<void> {
    this.wakeAll();
  }

  /** Ends every wait at shutdown. */
  close(): void {
    this.closed = true;
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const set of [...this.waiting.values()]) for (const wake of [...set]) wake();
  }
}
