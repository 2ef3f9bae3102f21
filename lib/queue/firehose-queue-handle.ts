import { Logger } from '@nestjs/common';
import { FirehoseQueueClosedError } from '../errors/queue-closed.error.js';
import { FirehoseQueueTimeoutError } from '../errors/queue-timeout.error.js';
import type { FirehoseQueue, QueuePopOptions } from '../interfaces/firehose-queue.interface.js';

interface Waiter<T> {
  resolve(message: T): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

/** One open queue handle: a local buffer of what arrived since it opened, and the pops waiting on it. */
export class FirehoseQueueHandle<T = unknown> implements FirehoseQueue<T> {
  private readonly logger = new Logger('Firehose');
  private readonly buffer: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private closed = false;

  constructor(
    readonly name: string,
    private readonly bufferSize: number,
    private readonly send: (name: string, message: T) => Promise<void>,
    private readonly onClose: (handle: FirehoseQueueHandle<T>) => void,
  ) {}

  async push(message: T): Promise<void> {
    if (this.closed) throw new FirehoseQueueClosedError(this.name);
    await this.send(this.name, message);
  }

  pop(options: QueuePopOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new FirehoseQueueClosedError(this.name));
    if (this.buffer.length > 0) return Promise.resolve(this.buffer.shift() as T);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject };
      if (options.timeout !== undefined) {
        waiter.timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new FirehoseQueueTimeoutError(this.name, options.timeout!));
        }, options.timeout);
      }
      this.waiters.push(waiter);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new FirehoseQueueClosedError(this.name));
    }
    this.buffer.length = 0;
  }

  /** Called by the registry for each message that arrives on this queue's name. */
  receive(message: T): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(message);
      return;
    }
    if (this.buffer.length >= this.bufferSize) {
      this.buffer.shift();
      this.logger.warn(`Queue "${this.name}" holds ${this.bufferSize} unpopped messages; dropped the oldest`);
    }
    this.buffer.push(message);
  }
}
