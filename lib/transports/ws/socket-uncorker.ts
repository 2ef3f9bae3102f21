import type { Socket } from 'node:net';
import { EndOfRunBatch } from '../connection/end-of-run-batch.js';

/** A connection whose socket the uncorker corks for a run. */
export interface CorkedWriter {
  /** The socket `ws` writes this connection's frames to. */
  readonly netSocket: Socket;
  /** The run in which this writer last sent a frame: kept by the uncorker, 0 before the first. */
  lastFrameRun: number;
  /** Runs once the run's frames are handed to the socket: what waits then is what the peer has not read. */
  uncorked(): void;
}

/**
 * The hub delivers a notification's events to every connection in one synchronous run, and `ws`
 * writes each frame with a cork/uncork of its own: one write system call per frame and connection.
 * A connection's first frame of a run leaves at once, so with one event per notification every
 * client gets it as early as from a bare `ws` server; from its second frame of the run the socket
 * is corked, and the rest leave in one call once the run is over. Frames still go through `ws`,
 * whole and in order.
 */
export class SocketUncorker {
  private run = 1;
  private readonly batch = new EndOfRunBatch<CorkedWriter>((writers) => {
    this.run++;
    for (const writer of writers) {
      // A no-op for a socket that was never corked in this run.
      writer.netSocket.uncork();
      writer.uncorked();
    }
  });

  /** Call before each frame the writer sends. */
  beforeFrame(writer: CorkedWriter): void {
    if (writer.lastFrameRun !== this.run) {
      writer.lastFrameRun = this.run;
      this.batch.add(writer);
    } else if (writer.netSocket.writableCorked === 0) {
      writer.netSocket.cork();
    }
  }
}
