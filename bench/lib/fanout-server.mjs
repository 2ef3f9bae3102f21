// Child process: one fan-out server under test (scenario "fanout"), driven over IPC.
//
//   module: a Nest HTTP app from dist/ (WsAdapter, TypeORM, FirehoseModule with
//           AllowAllStreamsAuthorizer) on 127.0.0.1:0; WebSocket at /firehose, SSE at /firehose/sse,
//           and an app's own `@Sse()` route at /bench/events returning
//           FirehoseService.messageEvents() (docs/protocol.md, "Your own @Sse() routes").
//           Events are published with FirehoseService.broadcast().
//   operated: the module app that also imports FirehoseOperationsModule with metrics, with an
//           OpenTelemetry SDK collecting every instrument each second and GET /healthz read each
//           second, as an operated deployment would.
//   raw:    a bare `ws` WebSocketServer (perMessageDeflate off) and a bare `node:http` SSE endpoint
//           on one port, fed by one plain `pg` LISTEN client; events are published with one naive
//           statement each: WITH i AS (INSERT ... RETURNING ...) SELECT pg_notify(...) FROM i,
//           and sent as JSON.stringify(event) per WebSocket client / `res.write` per SSE client.
//
// The publisher lives in the server process for both variants, so the server's CPU includes the
// cost of publishing either way. Every event's data is {r: phase id, i: index, t: send time
// (performance.timeOrigin + performance.now())}. Run with --expose-gc so memory figures are
// taken after forced collections.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { ChildRpc } from './child-rpc.mjs';

const now = () => performance.timeOrigin + performance.now();
const STREAM = 'fan';
const RAW_CHANNEL = 'raw_fanout';
const RAW_SQL = `WITH i AS (INSERT INTO raw_messages(stream, data) VALUES ($1, $2) RETURNING id, stream, data)
SELECT pg_notify('${RAW_CHANNEL}', json_build_object('id', id, 'stream', stream, 'data', data)::text) FROM i`;

async function startModule(url, operated) {
  const [{ Controller, Inject, Module, Sse }, { NestFactory }, { TypeOrmModule }, { WsAdapter }, lib] = await Promise.all([
    import('@nestjs/common'),
    import('@nestjs/core'),
    import('@nestjs/typeorm'),
    import('@nestjs/platform-ws'),
    import('../../dist/lib/index.js'),
  ]);
  await import('reflect-metadata');
  const { FIREHOSE_ENTITIES, FIREHOSE_MIGRATIONS, FirehoseModule, FirehoseService, AllowAllStreamsAuthorizer, LastEventId } = lib;
  // What an app writes for an SSE route of its own, decorated by hand (plain JavaScript):
  //   @Controller('bench') … @Sse('events') events(@LastEventId() lastEventId) { return firehose.messageEvents('fan', { lastEventId }) }
  class SseRouteController {
    constructor(firehose) {
      this.firehose = firehose;
    }
    events(lastEventId) {
      return this.firehose.messageEvents(STREAM, { lastEventId });
    }
  }
  Inject(FirehoseService)(SseRouteController, undefined, 0);
  Controller('bench')(SseRouteController);
  Sse('events')(SseRouteController.prototype, 'events', Object.getOwnPropertyDescriptor(SseRouteController.prototype, 'events'));
  LastEventId()(SseRouteController.prototype, 'events', 0);
  const stopOperations = operated ? await startMetricsCollection() : () => undefined;
  class FanoutBenchModule {}
  Module({
    imports: [
      TypeOrmModule.forRoot({ type: 'postgres', url, entities: FIREHOSE_ENTITIES, migrations: FIREHOSE_MIGRATIONS, migrationsRun: true }),
      FirehoseModule.forRoot({ authorizer: AllowAllStreamsAuthorizer }),
      ...(operated ? [lib.FirehoseOperationsModule.forRoot({ metrics: true })] : []),
    ],
    controllers: [SseRouteController],
  })(FanoutBenchModule);
  const app = await NestFactory.create(FanoutBenchModule, { logger: ['error', 'warn'] });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  const firehose = app.get(FirehoseService);
  const port = app.getHttpServer().address().port;
  const poller = operated
    ? setInterval(
        () =>
          fetch(`http://127.0.0.1:${port}/healthz`).then(
            (r) => r.arrayBuffer(),
            () => undefined,
          ),
        1000,
      )
    : undefined;
  return {
    port,
    wsPath: '/firehose',
    ssePath: `/firehose/sse?streams=${STREAM}`,
    sseRoutePath: '/bench/events',
    publish: (data) => firehose.broadcast(STREAM, data),
    close: async () => {
      clearInterval(poller);
      await app.close();
      await stopOperations();
    },
  };
}

/** An OpenTelemetry SDK reading every instrument each second, as a Prometheus scrape would. */
async function startMetricsCollection() {
  const [{ metrics }, { MeterProvider, PeriodicExportingMetricReader, InMemoryMetricExporter, AggregationTemporality }] = await Promise.all(
    [import('@opentelemetry/api'), import('@opentelemetry/sdk-metrics')],
  );
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 1000 });
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  // Keep only the last export: the figures are read, not kept.
  const trim = setInterval(() => exporter.reset(), 5000);
  return async () => {
    clearInterval(trim);
    await provider.shutdown();
  };
}

async function startRaw(url) {
  const [{ default: pg }, { WebSocketServer }, http] = await Promise.all([import('pg'), import('ws'), import('node:http')]);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE TABLE IF NOT EXISTS raw_messages (
    id bigserial PRIMARY KEY, stream text NOT NULL, data json NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url, max: 16, application_name: 'bench-raw-publisher' });

  const wsClients = new Set();
  const sseClients = new Set();
  const server = http.createServer((req, res) => {
    if (!req.url.startsWith('/sse')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write('retry: 3000\n\n');
    sseClients.add(res);
    req.on('close', () => sseClients.delete(res));
  });
  const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
  wss.on('connection', (socket) => {
    socket.on('message', (raw) => {
      // The same subscribe handshake as the module, minus validation and authorization.
      const m = JSON.parse(raw.toString());
      if (m.command === 'subscribe') {
        wsClients.add(socket);
        socket.send(JSON.stringify({ type: 'subscribed', streams: m.streams }));
      }
    });
    socket.on('close', () => wsClients.delete(socket));
  });

  // One LISTEN connection; every notification is one event, sent to every client.
  const listener = new pg.Client({ connectionString: url, application_name: 'bench-raw-listener' });
  listener.on('notification', (msg) => {
    const event = JSON.parse(msg.payload);
    for (const socket of wsClients) socket.send(JSON.stringify(event));
    if (sseClients.size) {
      const frame = `event: ${event.stream}\nid: ${event.id}\ndata: ${JSON.stringify({ data: event.data })}\n\n`;
      for (const res of sseClients) res.write(frame);
    }
  });
  await listener.connect();
  await listener.query(`LISTEN ${RAW_CHANNEL}`);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    wsPath: '/ws',
    ssePath: `/sse?streams=${STREAM}`,
    publish: (data) => pool.query(RAW_SQL, [STREAM, JSON.stringify(data)]),
    close: async () => {
      for (const s of wsClients) s.terminate();
      for (const r of sseClients) r.destroy();
      wss.close();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
      await listener.end();
      await pool.end();
    },
  };
}

/**
 * Memory after two forced collections (when --expose-gc), in bytes. `young` is the memory V8's
 * young generation holds (its new spaces): the nursery grows with the recent allocation rate
 * (setting up connections through a framework allocates a lot) and stays grown after a GC, so it
 * is part of RSS without being state of any connection.
 */
async function memory() {
  if (globalThis.gc) {
    globalThis.gc();
    globalThis.gc();
    // V8 hands the pages a collection freed to a background thread that unmaps them.
    await new Promise((resolve) => setTimeout(resolve, 500));
    globalThis.gc();
  }
  const m = process.memoryUsage();
  const young = v8
    .getHeapSpaceStatistics()
    .filter((space) => space.space_name === 'new_space' || space.space_name === 'new_large_object_space')
    .reduce((sum, space) => sum + space.physical_space_size, 0);
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, young, gc: Boolean(globalThis.gc) };
}

async function childMain() {
  const [variant, url] = process.argv.slice(3);
  const server = variant === 'raw' ? await startRaw(url) : await startModule(url, variant === 'operated');
  const send = (m) => process.send(m);
  process.on('message', async (m) => {
    try {
      if (m.type === 'memory') {
        send({ type: 'memory', id: m.id, ...(await memory()) });
      } else if (m.type === 'clock') {
        send({ type: 'clock', id: m.id, t: now() });
      } else if (m.type === 'open-loop') {
        // Open loop: event k is due at start + k/rate whatever happened to earlier ones.
        const started = now();
        const pending = [];
        let errors = 0;
        for (let i = 0; i < m.count; i++) {
          const due = started + (i * 1000) / m.rate;
          const wait = due - now();
          if (wait > 1) await new Promise((r) => setTimeout(r, wait));
          pending.push(server.publish({ r: m.run, i, t: now() }).catch(() => errors++));
        }
        await Promise.all(pending);
        send({ type: 'done', id: m.id, started, ended: now(), errors });
      } else if (m.type === 'burst') {
        // Burst: every event issued at once; the module may group them, the raw path uses its pool.
        const started = now();
        let errors = 0;
        await Promise.all(Array.from({ length: m.count }, (_, i) => server.publish({ r: m.run, i, t: now() }).catch(() => errors++)));
        send({ type: 'done', id: m.id, started, ended: now(), errors });
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
  // The raw server has one SSE endpoint: it is also the baseline of the @Sse() route.
  const sseRoutePath = server.sseRoutePath ?? server.ssePath;
  send({ type: 'ready', port: server.port, wsPath: server.wsPath, ssePath: server.ssePath, sseRoutePath, pid: process.pid });
}

/** Parent side: spawns the server (optionally pinned with taskset) and talks to it. */
export class FanoutServerHandle extends ChildRpc {
  static async start({ variant, url, pinCpus, fdLimit }) {
    const file = fileURLToPath(import.meta.url);
    // BENCH_SERVER_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const node = [process.execPath, '--expose-gc', ...extra, file, '--child', variant, url];
    const cmd = [...(pinCpus ? ['taskset', '-a', '-c', pinCpus] : []), ...node];
    // `ulimit -n` is per process: raise it in a shell that then execs the server.
    const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
    const child = spawn('/bin/sh', ['-c', `ulimit -n ${fdLimit} 2>/dev/null; exec ${cmd.map(q).join(' ')}`], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const handle = new FanoutServerHandle(child, variant);
    const ready = await handle.waitFor((m) => m.type === 'ready');
    Object.assign(handle, {
      port: ready.port,
      wsPath: ready.wsPath,
      ssePath: ready.ssePath,
      sseRoutePath: ready.sseRoutePath,
      pid: ready.pid,
    });
    return handle;
  }

  constructor(child, variant) {
    super(child, `${variant} server`);
    this.variant = variant;
  }
}

if (process.argv[2] === '--child') {
  childMain().catch((error) => {
    process.stderr.write(`fanout server failed: ${error.stack}\n`);
    process.exit(1);
  });
}
