/** Seconds a client refused for want of a connection slot is told to wait (`Retry-After`). */
const CONNECTION_RETRY_AFTER_SECONDS = 5;

/** What a client refused for want of a connection slot is told, on either transport (`503`). */
export const CONNECTION_CAP_MESSAGE = `This server holds as many connections as it may (maxConnections); retry in ${CONNECTION_RETRY_AFTER_SECONDS} s, or on another instance.`;

export const CONNECTION_CAP_HEADERS: Readonly<Record<string, string>> = { 'Retry-After': String(CONNECTION_RETRY_AFTER_SECONDS) };

/**
 * The WebSocket and SSE connections one process holds, against `maxConnections`. Both transports
 * take from the same count, so the cap bounds the process's sockets whatever mix clients choose.
 * A slot is taken before the connection costs anything (authorization, replay) and given back
 * when it ends.
 */
export class ConnectionSlots {
  private taken = 0;

  constructor(private readonly max: number) {}

  /** Connections holding a slot now. */
  get count(): number {
    return this.taken;
  }

  get full(): boolean {
    return this.taken >= this.max;
  }

  /** Takes a slot; false when all are taken. Every true answer is paired with one `release`. */
  take(): boolean {
    if (this.taken >= this.max) return false;
    this.taken++;
    return true;
  }

  release(): void {
    this.taken--;
  }
}
