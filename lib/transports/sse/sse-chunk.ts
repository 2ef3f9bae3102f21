const CRLF = Buffer.from('\r\n');

/**
 * The bytes of one write to an SSE response: `payload` as the response would send it, `framed`
 * as an HTTP/1.1 chunk (`<hex length>\r\n<payload>\r\n`), built on first use. Both are shared by
 * every connection that gets the same frames.
 */
export class SseChunk {
  private framedBytes?: Buffer;

  constructor(readonly payload: Buffer) {}

  get framed(): Buffer {
    return (this.framedBytes ??= Buffer.concat([Buffer.from(`${this.payload.length.toString(16)}\r\n`), this.payload, CRLF]));
  }
}
