import type { OnModuleDestroy } from '@nestjs/common';

/** Seconds a client refused for want of a connection slot is told to wait (`Retry-After`). */
const CONNECTION_RETRY_AFTER_SECONDS = 5;
/** Seconds a client refused while the process shuts down is told to wait: another instance is likely ready. */
const DRAINING_RETRY_AFTER_SECONDS = 1;

/** What a client refused for want of a connection slot is told, on either transport (`503`). */
export const CONNECTION_CAP_MESSAGE = `This server holds as many connections as it may (maxConnections); retry in ${CONNECTION_RETRY_AFTER_SECONDS} s, or on another instance.`;

export const CONNECTION_CAP_HEADERS: Readonly<Record<string, string>> = { 'Retry-After': String(CONNECTION_RETRY_AFTER_SECONDS) };

/** What a client refused while the process shuts down is told, on either transport (`503`). */
export const DRAINING_MESSAGE = `This server is shutting down; reconnect in ${DRAINING_RETRY_AFTER_SECONDS} s, to another instance.`;

/** Why a connection was refused, as the transports answer it: `503`, a message and headers. */
export interface ConnectionRefusal {
  message: string;
  headers: Readonly<Record<string, string>>;
}

const CAP_REFUSAL: ConnectionRefusal = { message: CONNECTION_CAP_MESSAGE, headers: CONNECTION_CAP_HEADERS };
const DRAINING_REFUSAL: ConnectionRefusal = { message: DRAINING_MESSAGE, headers: { 'Retry-After': String(DRAINING_RETRY_AFTER_SECONDS) } };

/**
 * The WebSocket and SSE connections one process holds, against `maxConnections`. Both transports
 * take from the same count, so the cap bounds the process's sockets whatever mix clients choose.
 * A slot is taken before the connection costs anything (authorization, replay) and given back
 * when it ends. Once the app shuts down no slot is given: the HTTP server still accepts until
 * every shutdown hook has run, and a connection opened then would only be cut again.
 */
export class ConnectionSlots implements OnModuleDestroy {
  private taken = 0;
  private closing = false;

  constructor(private readonly max: number) {}

  /** Connections holding a slot now. */
  get count(): number {
    return this.taken;
  }

  /** Whether `take` would refuse now: every slot is taken, or the app is draining. */
  get refusing(): boolean {
    return this.taken >= this.max || this.closing;
  }

  /** True once the app is shutting down. */
  get draining(): boolean {
    return this.closing;
  }

  /** What to answer the connection `take` refused. */
  get refusal(): ConnectionRefusal {
    return this.closing ? DRAINING_REFUSAL : CAP_REFUSAL;
  }

  /** Takes a slot; false when all are taken or the app is draining. Every true answer is paired with one `release`. */
  take(): boolean {
    if (this.refusing) return false;
    this.taken++;
    return true;
  }

  release(): void {
    this.taken--;
  }

  /** The first hook of a shutdown (before any `beforeApplicationShutdown`): refuse from now on. */
  onModuleDestroy(): void {
    this.closing = true;
  }
}
