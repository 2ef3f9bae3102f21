/** A connection whose frames the coalescer writes. */
export interface CoalescedWriter {
  /** Takes the frames gathered since the last flush, oldest first. */
  takeQueued(): Buffer[];
  writeChunk(chunk: Buffer): void;
}

/**
 * The hub delivers a notification's events to every connection in one synchronous run. Written
 * one by one, each frame costs every connection a chunked-encoding header and a buffered write,
 * and nothing leaves before the run ends anyway (Node corks a response until the next tick). So
 * connections queue their frames, and one microtask after the run writes each connection's
 * frames as a single chunk: the same Buffer for every connection that got the same frames, which
 * is every connection of a stream when no `buildEvent` hook reshapes events.
 */
export class SseWriteCoalescer {
  private dirty: CoalescedWriter[] = [];
  private scheduled = false;

  /** Called by a connection when it queues its first frame since the last flush. */
  schedule(writer: CoalescedWriter): void {
    this.dirty.push(writer);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const dirty = this.dirty;
    this.dirty = [];
    let previousFrames: Buffer[] | undefined;
    let previousChunk: Buffer | undefined;
    for (const writer of dirty) {
      const frames = writer.takeQueued();
      let chunk: Buffer;
      if (frames.length === 1) chunk = frames[0];
      else if (previousFrames && sameFrames(frames, previousFrames)) chunk = previousChunk!;
      else chunk = Buffer.concat(frames);
      previousFrames = frames;
      previousChunk = chunk;
      writer.writeChunk(chunk);
    }
  }
}

/** Frames are shared per event, so equal runs of events are runs of the same Buffer objects. */
function sameFrames(a: Buffer[], b: Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
