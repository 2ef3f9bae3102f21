/**
 * Collects items during one synchronous run of code and hands them over together in one microtask
 * once the run is over. The hub delivers a notification's events to every connection in one such
 * run, so the transports batch their writes per connection with it.
 */
export class EndOfRunBatch<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(private readonly flush: (items: T[]) => void) {}

  add(item: T): void {
    this.items.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      const items = this.items;
      this.items = [];
      this.flush(items);
    });
  }
}
