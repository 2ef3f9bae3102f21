// Contract: pg-copy-streams' `to(sql)` run by a pg client is a Readable of the CopyData payloads of `COPY … TO STDOUT` that ends after CopyDone and emits the server's error (with its SQLSTATE `code`) on failure, leaving the client usable; verified against pg-copy-streams 7.0 with pg 8.16–8.23.
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/**
 * Runs `COPY … TO STDOUT` on `client` and resolves with the bytes the server sent, whole; rejects
 * with the server's error (which carries its SQLSTATE as `code`), or with the connection's error
 * (without `code`) when the connection broke. COPY takes no bind parameters: callers inline only
 * values they formatted themselves.
 */
export function copyOut(client: pg.ClientBase, sql: string): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const stream = client.query(copyTo(sql));
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
