import { Socket } from 'node:net';
import pg from 'pg';
import { destroyPgClientSocket } from '../../lib/platform/pg-client-socket.js';

const url = process.env.FIREHOSE_TEST_DATABASE_URL ?? process.env.DATABASE_URL;

describe('platform/pg-client-socket: a pg.Client holds its socket in connection.stream', () => {
  it('is a net.Socket, and destroying it ends the client at once', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const stream = (client as unknown as { connection: { stream: unknown } }).connection.stream;
    expect(stream).toBeInstanceOf(Socket);
    // Not events.once: the client also emits 'error' (swallowed by the seam), which would reject it.
    const ended = new Promise((resolve) => client.once('end', resolve));
    destroyPgClientSocket(client);
    await ended;
    expect((stream as Socket).destroyed).toBe(true);
    await expect(client.query('SELECT 1')).rejects.toThrow();
  });
});
