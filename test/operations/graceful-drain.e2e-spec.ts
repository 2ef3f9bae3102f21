import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitFor, within } from '../utils/collect.js';
import { openSse, type SseConnection } from '../utils/sse-client.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { openWs, type WsTestClient } from '../utils/ws-client.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/operations-child.mjs', import.meta.url));
const STREAMS = 10;

interface DrainChild {
  process: ChildProcess;
  port: number;
  acked: number[];
  refused: string[];
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startChild(url: string, options: Record<string, unknown>): Promise<DrainChild> {
  const child = spawn(process.execPath, [FIXTURE, JSON.stringify({ url, streams: STREAMS, ...options })], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const acked: number[] = [];
  const refused: string[] = [];
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let message: any;
      try {
        message = JSON.parse(line);
      } catch {
        output.push(line);
        return;
      }
      if (message.ready) resolve(message.port);
      else if (message.acked !== undefined) acked.push(message.acked);
      else if (message.refused !== undefined) refused.push(message.refused);
    });
    void exited.then(({ code }) => reject(new Error(`the child exited with ${code} before it was ready: ${output.join('\n')}`)));
  });
  return { process: child, port, acked, refused, output, exited };
}

/** Opens `count` connections, `batch` at a time, so the handshakes do not all race at once. */
async function openMany<T>(count: number, batch: number, open: (i: number) => Promise<T>): Promise<T[]> {
  const opened: T[] = [];
  for (let i = 0; i < count; i += batch) {
    opened.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => open(i + j)))));
  }
  return opened;
}

describe('graceful drain on SIGTERM', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('ops_graceful_drain');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('tells 1,000 clients to reconnect, keeps every acknowledged broadcast, and exits within the window', async () => {
    const shutdownTimeout = 5000;
    const child = await startChild(db.url, { shutdownTimeout });
    let ws: WsTestClient[] = [];
    let sse: SseConnection[] = [];
    try {
      ws = await openMany(500, 50, async (i) => {
        const client = await openWs(`ws://127.0.0.1:${child.port}/firehose`);
        client.send({ command: 'subscribe', streams: [`drain:${i % STREAMS}`] });
        await client.waitForControl('subscribed');
        return client;
      });
      sse = await openMany(500, 50, async (i) => {
        const connection = await openSse(`http://127.0.0.1:${child.port}/firehose/sse?streams=drain:${i % STREAMS}`);
        expect(connection.status).toBe(200);
        return connection;
      });

      child.process.stdin!.write('broadcast\n');
      await waitFor(() => child.acked.length >= 300, 20_000, 'broadcasts under way');
      await waitFor(
        () => ws.every((c) => c.events().length > 0) && sse.every((c) => c.dataFrames().length > 0),
        20_000,
        'every client to receive',
      );

      const signalledAt = performance.now();
      child.process.kill('SIGTERM');
      const exit = await within(child.exited, shutdownTimeout + 5000, 'the exit');
      const took = performance.now() - signalledAt;

      // Nest re-raises the signal once its shutdown is done: the process ends by it, not by the deadline.
      if (exit.signal !== 'SIGTERM') console.log(child.output.join('\n'));
      expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
      expect(took).toBeLessThan(shutdownTimeout);

      // Every client was told: WebSocket clients with 1001, SSE responses ended with their last chunk.
      const closes = await within(Promise.all(ws.map((c) => c.closed)), 5000, 'every WebSocket close');
      expect(closes.filter((close) => close.code !== 1001)).toEqual([]);
      await within(Promise.all(sse.map((c) => c.ended)), 5000, 'every SSE end');
      expect(sse.filter((c) => !c.completed)).toHaveLength(0);

      // Writers went on during the shutdown until the app refused them; every acknowledged one is stored.
      expect(child.refused.length).toBeGreaterThan(0);
      const acked = [...new Set(child.acked)];
      const [{ stored }] = await db.query<{ stored: number }>(
        'SELECT count(*)::int AS stored FROM firehose_messages WHERE id = ANY($1::bigint[])',
        [acked],
      );
      expect(stored).toBe(acked.length);

      // Every event a client received is one that was acknowledged or committed: clients resume from there elsewhere.
      const [{ top }] = await db.query<{ top: number }>('SELECT max(id)::int AS top FROM firehose_messages');
      for (const client of ws) expect(client.events().at(-1)!.id).toBeLessThanOrEqual(top);
    } finally {
      child.process.kill('SIGKILL');
      for (const client of ws) client.close();
      for (const connection of sse) connection.close();
    }
  }, 120_000);

  it('exits with code 1 once shutdownTimeout passes when a shutdown hook hangs', async () => {
    const child = await startChild(db.url, { shutdownTimeout: 1000, hangOnShutdown: true });
    try {
      const signalledAt = performance.now();
      child.process.kill('SIGTERM');
      const exit = await within(child.exited, 10_000, 'the exit');
      const took = performance.now() - signalledAt;
      expect({ code: exit.code, output: child.output }).toEqual({ code: 1, output: expect.any(Array) });
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(5000);
      expect(child.output.join('\n')).toContain('Shutdown still running after shutdownTimeout (1000 ms)');
    } finally {
      child.process.kill('SIGKILL');
    }
  });
});
