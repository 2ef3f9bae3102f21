/**
 * A bounded FIFO over a power-of-two array, indexed with a mask. Pushing into a full ring drops
 * the oldest item: for messages worthless a second later, the newest are the ones to keep.
 */
export class TopicRing<T> {
  private readonly items: (T | undefined)[];
  private readonly mask: number;
  /** Counters of items ever pushed and ever taken (or dropped); their difference is the depth. */
  private head = 0;
  private tail = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`A ring's capacity must be a power of two, got ${capacity}.`);
    }
    this.items = new Array(capacity);
    this.mask = capacity - 1;
  }

  get depth(): number {
    return this.head - this.tail;
  }

  /** Adds `item`; returns false when the ring was full and its oldest item was dropped for it. */
  push(item: T): boolean {
    const kept = this.head - this.tail < this.capacity;
    if (!kept) this.tail++;
    this.items[this.head & this.mask] = item;
    this.head++;
    return kept;
  }

  /** Removes and returns every item, oldest first. */
  takeAll(): T[] {
    const taken: T[] = [];
    while (this.tail < this.head) {
      const at = this.tail & this.mask;
      taken.push(this.items[at] as T);
      this.items[at] = undefined;
      this.tail++;
    }
    return taken;
  }
}
