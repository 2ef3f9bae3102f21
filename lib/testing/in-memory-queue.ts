import { FirehoseQueueClosedError } from '../errors/queue-closed.error.js';
import { FirehoseQueueTimeoutError } from '../errors/queue-timeout.error.js';
import type { FirehoseQueue, QueuePopOptions } from '../interfaces/firehose-queue.interface.js';

/** A FirehoseQueue handle of the testing service: the same contract, in one process's memory. */
export class InMemoryQueue<T> implements FirehoseQueue<T> {
  private readonly held: T[] = [];
  private readonly waiting: Array<{ resolve(message: T): void; reject(error: unknown): void }> = [];
  private closed = false;

  constructor(
    readonly name: string,
    private readonly send: (message: T) => void,
    private readonly forget: () => void,
  ) {}

  async push(message: T): Promise<void> {
    if (this.closed) throw new FirehoseQueueClosedError(this.name);
    this.send(structuredClone(message));
  }

  pop(options: QueuePopOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new FirehoseQueueClosedError(this.name));
    if (this.held.length > 0) return Promise.resolve(this.held.shift() as T);
    return new Promise<T>((resolve, reject) => {
      const waiter = { resolve, reject };
      this.waiting.push(waiter);
      if (options.timeout === undefined) return;
      const timeout = options.timeout;
      setTimeout(() => {
        const index = this.waiting.indexOf(waiter);
        if (index < 0) return;
        this.waiting.splice(index, 1);
        reject(new FirehoseQueueTimeoutError(this.name, timeout));
      }, timeout).unref();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.forget();
    for (const waiter of this.waiting.splice(0)) waiter.reject(new FirehoseQueueClosedError(this.name));
  }

  /** A message pushed on any handle of this queue. */
  receive(message: T): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(message);
    else this.held.push(message);
  }
}
