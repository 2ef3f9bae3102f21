// Contract: a pg client runs a Submittable through pg's connection (`submit(connection)` → `connection.query(text)`, then `handleCopyData` / `handleError` / `handleReadyForQuery` callbacks); verified against pg 8.16–8.23 (pg-protocol 1.x).
import type pg from 'pg';

/**
 * Runs `COPY … TO STDOUT` on `client` and resolves with the bytes the server sent, whole; rejects
 * with the server's error (which carries its SQLSTATE as `code`) once the connection is ready
 * again. COPY takes no bind parameters: callers inline only values they formatted themselves.
 */
export function copyOut(client: pg.ClientBase, sql: string): Promise<Buffer> {
  const query = new CopyOutQuery(sql);
  void client.query(query);
  return query.done;
}

/** `COPY … TO STDOUT` as a pg Submittable: pg hands the CopyData messages to it directly. */
class CopyOutQuery implements pg.Submittable {
  readonly done: Promise<Buffer>;
  private readonly chunks: Buffer[] = [];
  private error: Error | undefined;
  private resolve!: (data: Buffer) => void;
  private reject!: (error: Error) => void;

  constructor(private readonly text: string) {
    this.done = new Promise<Buffer>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: unknown): void {
    (connection as { query(text: string): void }).query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    // The chunk may be a view of the protocol parser's buffer, which is reused: keep a copy.
    this.chunks.push(Buffer.from(message.chunk));
  }

  handleError(error: Error): void {
    this.error = error;
  }

  /** The last message of every simple query, after an error too. */
  handleReadyForQuery(): void {
    if (this.error) this.reject(this.error);
    else this.resolve(Buffer.concat(this.chunks));
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
}
