import type { WsErrorCode } from '../../protocol/ws-server-frame.js';

/** A client frame the gateway refuses; it becomes an error frame and the connection stays open. */
export class WsProtocolError extends Error {
  constructor(
    readonly code: WsErrorCode,
    message: string,
    readonly streams?: string[],
  ) {
    super(message);
    this.name = 'WsProtocolError';
  }
}
