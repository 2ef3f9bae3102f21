import type { StoredMessage } from './store/message.store.js';

/** A run of one stream's messages known to be complete: every message ending in (lo, hi]. */
interface Window {
  lo: number;
  hi: number;
  ends: number[];
  data: Buffer[];
  bytes: number;
}

/**
 * Committed messages are immutable and stream ids are never reused, so recently appended or read
 * bytes can serve the next catch-up reads without a query (PostgreSQL sends bytea as hex text,
 * which costs more than the read itself). Per stream the cache holds one window of consecutive
 * messages; a read is served from it only when the window holds the message right after its
 * offset, and never returns more than the window, so it answers exactly what the table would
 * (possibly a shorter chunk, which the protocol allows). Bounded in bytes, least recently used
 * streams first out.
 */
export class MessageCache {
  private readonly windows = new Map<number, Window>();
  private bytes = 0;

  constructor(private readonly capacity: number) {}

  /** Messages ending past `from` and at most at `tail`, about `maxBytes` of them; undefined on a miss. */
  read(streamId: number, from: number, tail: number, maxBytes: number): StoredMessage[] | undefined {
    const window = this.windows.get(streamId);
    if (!window || from < window.lo || from >= window.hi) return undefined;
    this.windows.delete(streamId);
    this.windows.set(streamId, window);
    const out: StoredMessage[] = [];
    let size = 0;
    for (
      let i = firstEndAfter(window.ends, from);
      i < window.ends.length && window.ends[i] <= tail && (size < maxBytes || out.length === 0);
      i++
    ) {
      out.push({ end: window.ends[i], data: window.data[i] });
      size += window.data[i].length;
    }
    return out.length > 0 ? out : undefined;
  }

  /** Records `messages`, the complete run of the stream's messages ending in (from, last end]. */
  add(streamId: number, from: number, messages: StoredMessage[]): void {
    if (this.capacity === 0 || messages.length === 0) return;
    let window = this.windows.get(streamId);
    if (window && from >= window.lo && from <= window.hi) {
      this.windows.delete(streamId);
    } else {
      if (window) this.drop(streamId);
      window = { lo: from, hi: from, ends: [], data: [], bytes: 0 };
    }
    for (const message of messages) {
      if (message.end <= window.hi) continue;
      window.ends.push(message.end);
      window.data.push(message.data);
      window.bytes += message.data.length;
      this.bytes += message.data.length;
      window.hi = message.end;
    }
    this.windows.set(streamId, window);
    this.evict(window);
  }

  drop(streamId: number): void {
    const window = this.windows.get(streamId);
    if (!window) return;
    this.bytes -= window.bytes;
    this.windows.delete(streamId);
  }

  private evict(keep: Window): void {
    for (const [id, window] of this.windows) {
      if (this.bytes <= this.capacity) return;
      if (window !== keep) this.drop(id);
    }
    // One stream alone over the budget: drop its oldest messages.
    let cut = 0;
    while (this.bytes > this.capacity && cut < keep.ends.length - 1) {
      this.bytes -= keep.data[cut].length;
      keep.bytes -= keep.data[cut].length;
      keep.lo = keep.ends[cut];
      cut++;
    }
    if (cut > 0) {
      keep.ends.splice(0, cut);
      keep.data.splice(0, cut);
    }
  }
}

/** Index of the first end greater than `position` (ends are increasing). */
function firstEndAfter(ends: number[], position: number): number {
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid] <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
