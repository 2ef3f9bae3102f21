// Child process: one topics server under test (scenario "topics"), driven over IPC.
//
//   module: a Nest HTTP app from dist/ (TypeORM, FirehoseModule, FirehoseTopicsModule with
//           AllowAllTopicsAuthorizer and the given number of shards) on 127.0.0.1:0; subscribers
//           at GET /topics/{topic}/events; messages published with FirehoseTopicsService.publish().
//   gzip:   the module app with `sseCompression: true`: clients that send `Accept-Encoding: gzip`
//           get a gzip stream flushed per write.
//   raw:    a bare `node:http` SSE endpoint fed by one plain `pg` LISTEN client, and one
//           `SELECT pg_notify(...)` per publish on a pg.Pool of 16; each notification is written
//           as `event: message\ndata: …\n\n` with `res.write` per subscriber.
//
// The publisher lives in the server process for every variant, so the server's CPU includes the
// cost of publishing either way. Every message's data is
// {r: phase id, i: index, t: send time (performance.timeOrigin + performance.now())}.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ChildRpc } from './child-rpc.mjs';
import { closedLoop } from './closed-loop.mjs';

const now = () => performance.timeOrigin + performance.now();
const RAW_CHANNEL = 'raw_topic';

async function startModule(url, shards, sseCompression) {
  const [{ Module }, { NestFactory }, { TypeOrmModule }, { WsAdapter }, lib] = await Promise.all([
    import('@nestjs/common'),
    import('@nestjs/core'),
    import('@nestjs/typeorm'),
    import('@nestjs/platform-ws'),
    import('../../dist/lib/index.js'),
  ]);
  await import('reflect-metadata');
  const { FIREHOSE_ENTITIES, FIREHOSE_MIGRATIONS, FirehoseModule, FirehoseTopicsModule, FirehoseTopicsService, AllowAllTopicsAuthorizer } =
    lib;
  class TopicsBenchModule {}
  Module({
    imports: [
      TypeOrmModule.forRoot({ type: 'postgres', url, entities: FIREHOSE_ENTITIES, migrations: FIREHOSE_MIGRATIONS, migrationsRun: true }),
      FirehoseModule.forRoot({}),
      FirehoseTopicsModule.forRoot({ authorizer: AllowAllTopicsAuthorizer, shards, sseCompression }),
    ],
  })(TopicsBenchModule);
  const app = await NestFactory.create(TopicsBenchModule, { logger: ['error', 'warn'] });
  // FirehoseModule's WebSocket gateway needs the `ws` adapter, though this scenario uses SSE only.
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  const topics = app.get(FirehoseTopicsService);
  return {
    port: app.getHttpServer().address().port,
    ssePath: (topic) => `/topics/${topic}/events`,
    publish: (topic, data) => topics.publish(topic, data),
    stats: () => topics.stats().totals,
    close: () => app.close(),
  };
}

async function startRaw(url) {
  const [{ default: pg }, http] = await Promise.all([import('pg'), import('node:http')]);
  const pool = new pg.Pool({ connectionString: url, max: 16, application_name: 'bench-raw-publisher' });
  const subscribers = new Set();
  const server = http.createServer((req, res) => {
    if (!req.url.startsWith('/topics/')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write('retry: 3000\n\n');
    subscribers.add(res);
    req.on('close', () => subscribers.delete(res));
  });
  // One LISTEN connection; every notification is one message, written to every subscriber.
  const listener = new pg.Client({ connectionString: url, application_name: 'bench-raw-listener' });
  listener.on('notification', (msg) => {
    const frame = `event: message\ndata: ${msg.payload}\n\n`;
    for (const res of subscribers) res.write(frame);
  });
  await listener.connect();
  await listener.query(`LISTEN ${RAW_CHANNEL}`);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    ssePath: (topic) => `/topics/${topic}/events`,
    publish: (_topic, data) => pool.query('SELECT pg_notify($1, $2)', [RAW_CHANNEL, JSON.stringify(data)]),
    stats: () => undefined,
    close: async () => {
      for (const res of subscribers) res.destroy();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
      await listener.end();
      await pool.end();
    },
  };
}

async function childMain() {
  const [variant, url, shards] = process.argv.slice(3);
  const server = variant === 'raw' ? await startRaw(url) : await startModule(url, Number(shards), variant === 'gzip');
  const send = (m) => process.send(m);
  process.on('message', async (m) => {
    try {
      if (m.type === 'clock') {
        send({ type: 'clock', id: m.id, t: now() });
      } else if (m.type === 'open-loop') {
        // Open loop: message k is due at start + k/rate whatever happened to earlier ones.
        const started = now();
        const pending = [];
        let errors = 0;
        for (let i = 0; i < m.count; i++) {
          const wait = started + (i * 1000) / m.rate - now();
          if (wait > 1) await new Promise((r) => setTimeout(r, wait));
          pending.push(server.publish(m.topic, { r: m.run, i, t: now() }).catch(() => errors++));
        }
        await Promise.all(pending);
        send({ type: 'done', id: m.id, started, ended: now(), errors });
      } else if (m.type === 'burst') {
        // Burst: every message issued at once; the module's shard sender groups them, the raw
        // path spreads them over its pool.
        const started = now();
        let errors = 0;
        await Promise.all(
          Array.from({ length: m.count }, (_, i) => server.publish(m.topic, { r: m.run, i, t: now() }).catch(() => errors++)),
        );
        send({ type: 'done', id: m.id, started, ended: now(), errors });
      } else if (m.type === 'stats') {
        // The module's own counters (ring drops, subscribers hung up on); none for raw.
        send({ type: 'stats', id: m.id, totals: server.stats() });
      } else if (m.type === 'closed-loop') {
        // `concurrency` publishes outstanding, round-robin over `topics`, for `seconds`.
        const result = await closedLoop({
          concurrency: m.concurrency,
          seconds: m.seconds,
          hop: 'none',
          call: (w, i, t) => server.publish(m.topics[(w + i) % m.topics.length], { r: m.run, i, t }),
        });
        send({
          type: 'done',
          id: m.id,
          ok: result.ok,
          errors: result.errors,
          firstError: result.firstError,
          durationMs: result.durationMs,
          ack: result.ack.summary(),
        });
      } else if (m.type === 'close') {
        await server.close();
        send({ type: 'ok', id: m.id });
        process.disconnect();
        setTimeout(() => process.exit(0), 200).unref();
      }
    } catch (error) {
      send({ type: 'error', id: m.id, message: error.stack ?? error.message });
    }
  });
  send({ type: 'ready', port: server.port, pid: process.pid });
}

/** Parent side: spawns a topics server (module or gzip with `shards`, or raw) and talks to it. */
export class TopicsServerHandle extends ChildRpc {
  static async start({ variant, url, shards = 8, pinCpus, fdLimit = 4096 }) {
    const file = fileURLToPath(import.meta.url);
    // BENCH_SERVER_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const node = [process.execPath, ...extra, file, '--child', variant, url, String(shards)];
    const cmd = [...(pinCpus ? ['taskset', '-a', '-c', pinCpus] : []), ...node];
    // `ulimit -n` is per process: raise it in a shell that then execs the server.
    const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
    const child = spawn('/bin/sh', ['-c', `ulimit -n ${fdLimit} 2>/dev/null; exec ${cmd.map(q).join(' ')}`], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const handle = new TopicsServerHandle(child, `${variant} topics server`);
    const ready = await handle.waitFor((m) => m.type === 'ready');
    Object.assign(handle, { port: ready.port, pid: ready.pid, variant });
    return handle;
  }

  sseUrl(topic) {
    return `http://127.0.0.1:${this.port}/topics/${topic}/events`;
  }
}

if (process.argv[2] === '--child') {
  childMain().catch((error) => {
    process.stderr.write(`topics server failed: ${error.stack}\n`);
    process.exit(1);
  });
}
