import { EndOfRunBatch } from '../connection/end-of-run-batch.js';
import { SseChunk } from './sse-chunk.js';

/** A connection whose frames the coalescer writes. */
export interface CoalescedWriter {
  /** Takes the frames gathered since the last flush, oldest first. */
  takeQueued(): Buffer[];
  writeChunk(chunk: SseChunk): void;
  /** Once the written chunks have been handed to the socket: what waits now is what the peer has not read. */
  checkPending(): void;
}

/**
 * Written one by one, each frame costs every connection a chunked-encoding header and a buffered
 * write, and nothing leaves before the delivery run ends anyway (Node corks a response until the
 * next tick). So connections queue their frames, and once the run is over each connection's
 * frames are written as a single chunk: the same bytes for every connection that got the same
 * frames, which is every connection of a stream when no `buildEvent` hook reshapes events.
 */
export class SseWriteCoalescer {
  private readonly batch = new EndOfRunBatch<CoalescedWriter>((writers) => this.flush(writers));

  /** Called by a connection when it queues its first frame since the last flush. */
  schedule(writer: CoalescedWriter): void {
    this.batch.add(writer);
  }

  private flush(writers: CoalescedWriter[]): void {
    let previousFrames: Buffer[] | undefined;
    let previousChunk: SseChunk | undefined;
    for (const writer of writers) {
      const frames = writer.takeQueued();
      let chunk: SseChunk;
      if (previousFrames && sameFrames(frames, previousFrames)) chunk = previousChunk!;
      else chunk = new SseChunk(frames.length === 1 ? frames[0] : Buffer.concat(frames));
      previousFrames = frames;
      previousChunk = chunk;
      writer.writeChunk(chunk);
    }
    // Writes may be corked until the next tick; after that, a burst to a client that reads has
    // gone to the kernel and only a client that does not read still holds it.
    setImmediate(() => {
      for (const writer of writers) writer.checkPending();
    });
  }
}

/** Frames are shared per event, so equal runs of events are runs of the same Buffer objects. */
function sameFrames(a: Buffer[], b: Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
