import type { Socket } from 'node:net';

/**
 * The hub delivers a notification's events to every connection in one synchronous run, and `ws`
 * writes each frame with a cork/uncork of its own: one write system call per frame and
 * connection. A socket corked at its first frame of the run and uncorked once the run is over (one
 * microtask for all of them) writes all its frames in one call instead. Frames still go through
 * `ws`, whole and in order.
 */
export class SocketUncorker {
  private corked: Array<{ socket: Socket; uncorked: () => void }> = [];
  private scheduled = false;

  /**
   * Corks `socket` until the current run is over, unless it already is; `uncorked` runs once the
   * run's frames are handed to the socket (what waits then is what the peer has not read).
   */
  cork(socket: Socket, uncorked: () => void): void {
    if (socket.writableCorked > 0) return;
    socket.cork();
    this.corked.push({ socket, uncorked });
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.uncorkAll());
  }

  private uncorkAll(): void {
    this.scheduled = false;
    const corked = this.corked;
    this.corked = [];
    for (const { socket, uncorked } of corked) {
      socket.uncork();
      uncorked();
    }
  }
}
