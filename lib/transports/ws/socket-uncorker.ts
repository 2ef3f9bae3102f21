import type { Socket } from 'node:net';
import { EndOfRunBatch } from '../connection/end-of-run-batch.js';

/** A connection whose socket the uncorker corks for a run. */
export interface CorkedWriter {
  /** The socket `ws` writes this connection's frames to. */
  readonly netSocket: Socket;
  /** Runs once the run's frames are handed to the socket: what waits then is what the peer has not read. */
  uncorked(): void;
}

/**
 * The hub delivers a notification's events to every connection in one synchronous run, and `ws`
 * writes each frame with a cork/uncork of its own: one write system call per frame and
 * connection. A socket corked at its first frame of the run and uncorked once the run is over
 * writes all its frames in one call instead. Frames still go through `ws`, whole and in order.
 */
export class SocketUncorker {
  private readonly batch = new EndOfRunBatch<CorkedWriter>((writers) => {
    for (const writer of writers) {
      writer.netSocket.uncork();
      writer.uncorked();
    }
  });

  /** Corks the writer's socket until the current run is over, unless it already is. */
  cork(writer: CorkedWriter): void {
    if (writer.netSocket.writableCorked > 0) return;
    writer.netSocket.cork();
    this.batch.add(writer);
  }
}
