import type { Socket } from 'node:net';
import type { TcpProxy } from './tcp-proxy.js';

/** Request codes of the messages a client may send before its startup message (no type byte). */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

export interface RecordedStatement {
  /** Date.now() when the message arrived at the proxy. */
  at: number;
  /** Proxy-side connection number, in order of connection. */
  connection: number;
  sql: string;
}

/**
 * Lists the SQL every client of a TcpProxy sends to PostgreSQL, read off the wire: the text of each
 * simple query ('Q') and of each statement parsed for the extended protocol ('P'; parameters are
 * sent separately, so a statement run again shows up again). Needs plain connections (no TLS).
 */
export class PgStatementRecorder {
  readonly statements: RecordedStatement[] = [];
  private readonly readers = new WeakMap<Socket, FrontendMessageReader>();
  private connections = 0;

  constructor(proxy: TcpProxy) {
    proxy.onClientData = (client, chunk) => {
      let reader = this.readers.get(client);
      if (!reader) {
        const connection = ++this.connections;
        reader = new FrontendMessageReader((sql) => this.statements.push({ at: Date.now(), connection, sql }));
        this.readers.set(client, reader);
      }
      reader.push(chunk);
    };
  }

  /** The SQL of the statements recorded at or after `from` (a Date.now() value). */
  since(from: number): string[] {
    return this.statements.filter((s) => s.at >= from).map((s) => s.sql);
  }
}

/** Splits one connection's frontend byte stream into messages, across chunk boundaries. */
class FrontendMessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  private beforeStartup = true;

  constructor(private readonly onStatement: (sql: string) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.beforeStartup) {
        // Int32 length (itself included), Int32 protocol version or request code, then parameters.
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        this.buffer = this.buffer.subarray(length);
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.beforeStartup = false;
        continue;
      }
      // Byte1 type, Int32 length (itself included, the type not), then the body.
      if (this.buffer.length < 5) return;
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) return;
      const type = String.fromCharCode(this.buffer[0]);
      const body = this.buffer.subarray(5, 1 + length);
      this.buffer = this.buffer.subarray(1 + length);
      if (type === 'Q') this.onStatement(cString(body, 0));
      // Parse: the statement's name, then its text.
      if (type === 'P') this.onStatement(cString(body, body.indexOf(0) + 1));
    }
  }
}

function cString(buffer: Buffer, start: number): string {
  const end = buffer.indexOf(0, start);
  return buffer.toString('utf8', start, end === -1 ? buffer.length : end);
}
