import type { ServerResponse } from 'node:http';

/** The responses in flight, so shutdown can end the live ones instead of waiting for them. */
export class OpenResponses {
  private readonly open = new Set<ServerResponse>();
  private shuttingDown = false;

  /** True once shutdown began: live reads stop waiting. */
  get closing(): boolean {
    return this.shuttingDown;
  }

  track(res: ServerResponse): void {
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
  }

  /**
   * Ends SSE responses (whose headers went out); woken long-polls see `closing` and answer 204
   * themselves (ending them here would send an empty 200, which a client would take for data).
   */
  close(): void {
    this.shuttingDown = true;
    for (const res of this.open) if (res.headersSent) res.end();
  }
}
