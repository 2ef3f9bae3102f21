import type { Socket } from 'node:net';
import { EndOfRunBatch } from '../delivery/end-of-run-batch.js';

/**
 * The hub delivers a notification's events to every connection in one synchronous run, and `ws`
 * writes each frame with a cork/uncork of its own: one write system call per frame and
 * connection. A socket corked at its first frame of the run and uncorked once the run is over
 * writes all its frames in one call instead. Frames still go through `ws`, whole and in order.
 */
export class SocketUncorker {
  private readonly batch = new EndOfRunBatch<{ socket: Socket; uncorked: () => void }>((corked) => {
    for (const { socket, uncorked } of corked) {
      socket.uncork();
      uncorked();
    }
  });

  /**
   * Corks `socket` until the current run is over, unless it already is; `uncorked` runs once the
   * run's frames are handed to the socket (what waits then is what the peer has not read).
   */
  cork(socket: Socket, uncorked: () => void): void {
    if (socket.writableCorked > 0) return;
    socket.cork();
    this.batch.add({ socket, uncorked });
  }
}
