// Scenario "fanout": deliveries/s, broadcast→client latency and memory per idle connection, to N
// WebSocket and SSE clients, module vs a raw baseline, in one run against one fresh database.
//
//   module: Nest HTTP app from dist/ with WsAdapter, TypeORM and
//           FirehoseModule.forRoot({ authorizer: AllowAllStreamsAuthorizer });
//           WS at /firehose (subscribe frame, wait for {"type":"subscribed"}), SSE at
//           /firehose/sse?streams=fan, and (transport "sse-route") an app's own @Sse() route
//           returning FirehoseService.messageEvents(); published with FirehoseService.broadcast().
//   raw:    bare `ws` WebSocketServer (perMessageDeflate off) + bare `node:http` SSE (also the
//           baseline of the @Sse() route), one `pg`
//           LISTEN client, naive INSERT+pg_notify per event, JSON.stringify / res.write per client.
//
// Every server under test runs in a child process of its own (bench/lib/fanout-server.mjs, with
// --expose-gc) so its RSS and CPU are its own; the publisher runs inside it. The clients live in
// BENCH_CLIENT_PROCS child processes (bench/lib/fanout-clients.mjs). For each point (transport, N)
// and each variant, interleaved module/raw (order alternating per pair):
//   1. start the server, connect and subscribe a first 100 clients (one-time costs), take its
//      memory after forced GC;
//   2. connect the rest of the N clients; memory again → delta / (N − 100) per idle connection;
//   3. warm-up, then an open-loop publisher at a fixed rate → latency p50/p99 (send time embedded
//      in every event; one delivery in k sampled across all clients; clocks calibrated over IPC);
//   4. a burst of events issued at once → deliveries/s from the first send to the last arrival;
//   5. every phase checks received against expected deliveries (events × N).
import os from 'node:os';
import { cpuCount, hasTaskset } from '../lib/cpu.mjs';
import { createFreshDatabase, PgCpuMeter, serverInfo } from '../lib/db.mjs';
import { envBool, envList, envNumber, now, progress, sleep } from '../lib/env.mjs';
import { clockOffset } from '../lib/fanout-clients.mjs';
import { fdLimitFor, measurePhase, startClientProcs } from '../lib/fanout-phase.mjs';
import { FanoutServerHandle } from '../lib/fanout-server.mjs';
import { round, spread } from '../lib/stats.mjs';
import { fmt, fmtSpread, table } from '../lib/table.mjs';

export const description =
  'deliveries/s, broadcast→client p50/p99 and memory per idle connection to N WS/SSE clients, module vs raw ws/http';

export const knobs = {
  BENCH_WS_CLIENTS: 'comma list of WebSocket client counts (default 1000,10000)',
  BENCH_SSE_CLIENTS: 'comma list of SSE client counts (default 1000)',
  BENCH_SSE_ROUTE_CLIENTS: "comma list of client counts for an app's own @Sse() route over messageEvents() (default 1000; 0: none)",
  BENCH_PAIRS: 'interleaved module/raw pairs per point, order alternating (default 2)',
  BENCH_CLIENT_PROCS: 'client child processes per point (default 2)',
  BENCH_LATENCY_SECONDS: 'seconds of the open-loop latency phase (default 6)',
  BENCH_LATENCY_RATE: 'events/s of the open-loop latency phase (default 20)...',
  BENCH_LATENCY_DELIVERIES: '...capped so that rate × N stays ≤ this many deliveries/s (default 20000)',
  BENCH_BURST_DELIVERIES: 'deliveries of the burst phase: events = ceil(this / N) (default 200000)',
  BENCH_WARMUP_SECONDS: 'seconds of open-loop warm-up (at the latency rate) before the latency phase (default 1)',
  BENCH_SAMPLES: 'latency samples wanted per phase, across all clients (default 20000)',
  BENCH_GRACE_MS: 'how long clients wait for stragglers after a phase (default 3000)',
  BENCH_SETTLE_MS: 'idle time after all clients subscribed, before the memory sample (default 2000)',
  BENCH_CONNECT_WAVE: 'connections opened at once per client process (default 250)',
  BENCH_MEM_WARM_CONNS: 'clients connected before the memory baseline; the rest are the N of "per idle connection" (default 100)',
  BENCH_SERVER_NODE_ARGS: 'extra node flags for the server processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (default none)',
  BENCH_OPERATIONS:
    "adds the variant 'operated', interleaved with the others: the module app with FirehoseOperationsModule, metrics collected and /healthz polled each second (default off)",
  BENCH_PIN: 'pin the server to CPU 0 and the client processes to CPU 1 with taskset (default off: clients then use both cores)',
};

const TARGETS = {
  ws: { rate: 1.2, p99: 1.5, kbPerConn: 10 },
  sse: { rate: 1.0, p99: 1.5, kbPerConn: 15 },
  // An app's own @Sse() route has no target: the row states what Nest's SSE formatting costs.
};
const LABELS = { ws: 'WS', sse: 'SSE', 'sse-route': '@Sse() route' };
const SERVER_PATHS = { ws: 'wsPath', sse: 'ssePath', 'sse-route': 'sseRoutePath' };

/** One variant at one point: server + clients up, memory, latency phase, burst phase, down. */
async function runVariant({ variant, transport, n, cfg, db, meter, fdLimit, pinned, runBase }) {
  const server = await FanoutServerHandle.start({ variant, url: db.url, pinCpus: pinned ? '0' : undefined, fdLimit });
  const procs = [];
  try {
    const serverClock = await clockOffset(server);
    const url = `${transport === 'ws' ? 'ws' : 'http'}://127.0.0.1:${server.port}${server[SERVER_PATHS[transport]]}`;
    procs.push(...(await startClientProcs({ n, procs: cfg.procs, fdLimit, pinned, serverClock })));
    // First a few clients per process, so one-time costs (lazy code paths, JIT, buffers) land
    // before the memory baseline; the per-connection figure is over the other clients.
    const first = procs.map((h) => Math.min(h.share, Math.ceil(cfg.memWarmConns / procs.length)));
    const connect = (from, to) =>
      Promise.all(
        procs.map((h, p) =>
          h.request({ type: 'connect', kind: transport === 'ws' ? 'ws' : 'sse', url, from: from[p], to: to[p], wave: cfg.wave }),
        ),
      );
    await connect(
      procs.map(() => 0),
      first,
    );
    await sleep(cfg.settleMs / 2);
    const mem0 = await server.request({ type: 'memory' });
    const c0 = now();
    await connect(
      first,
      procs.map((h) => h.share),
    );
    const connectS = (now() - c0) / 1000;
    const counted = n - first.reduce((a, b) => a + b, 0);
    progress(`  ${variant} ${transport} N=${n}: ${n} clients subscribed (${counted} in ${connectS.toFixed(1)} s)`);
    await sleep(cfg.settleMs);
    const mem1 = await server.request({ type: 'memory' });

    const phase = async (kind, run, count, rate) => ({
      events: count,
      ...(await measurePhase({
        server,
        procs,
        serverClock,
        meter,
        n,
        count,
        samples: cfg.samples,
        graceMs: cfg.graceMs,
        publish: () => server.request(kind === 'burst' ? { type: 'burst', run, count } : { type: 'open-loop', run, count, rate }),
      })),
    });

    const rate = Math.max(0.5, Math.min(cfg.latencyRate, cfg.latencyDeliveries / n));
    await phase('open-loop', runBase, Math.max(2, Math.round(rate * cfg.warmupSeconds)), rate);
    const latency = await phase('open-loop', runBase + 1, Math.max(1, Math.round(rate * cfg.latencySeconds)), rate);
    const burst = await phase('burst', runBase + 2, Math.ceil(cfg.burstDeliveries / n), undefined);
    return {
      variant,
      transport,
      n,
      connect_s: connectS,
      mem_conns: counted,
      rss_kb_per_conn: (mem1.rss - mem0.rss) / 1024 / counted,
      rss_old_kb_per_conn: (mem1.rss - mem1.young - (mem0.rss - mem0.young)) / 1024 / counted,
      young_mb_idle: mem1.young / 1048576,
      heap_kb_per_conn: (mem1.heapUsed - mem0.heapUsed) / 1024 / counted,
      rss_mb_idle: mem1.rss / 1048576,
      rss_mb_before: mem0.rss / 1048576,
      gc: mem1.gc,
      latency_rate: rate,
      latency,
      burst,
    };
  } finally {
    await Promise.all(procs.map((h) => h.close()));
    await server.close();
  }
}

export async function run({ serverUrl }) {
  const cfg = {
    ws: envList('BENCH_WS_CLIENTS', [1000, 10000]),
    sse: envList('BENCH_SSE_CLIENTS', [1000]),
    sseRoute: envList('BENCH_SSE_ROUTE_CLIENTS', [1000]),
    pairs: envNumber('BENCH_PAIRS', 2),
    procs: envNumber('BENCH_CLIENT_PROCS', 2),
    latencySeconds: envNumber('BENCH_LATENCY_SECONDS', 6),
    latencyRate: envNumber('BENCH_LATENCY_RATE', 20),
    latencyDeliveries: envNumber('BENCH_LATENCY_DELIVERIES', 20000),
    burstDeliveries: envNumber('BENCH_BURST_DELIVERIES', 200000),
    warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 1),
    samples: envNumber('BENCH_SAMPLES', 20000),
    graceMs: envNumber('BENCH_GRACE_MS', 3000),
    settleMs: envNumber('BENCH_SETTLE_MS', 2000),
    wave: envNumber('BENCH_CONNECT_WAVE', 250),
    memWarmConns: envNumber('BENCH_MEM_WARM_CONNS', 100),
    pin: envBool('BENCH_PIN', false) && hasTaskset() && cpuCount() >= 2,
    operations: envBool('BENCH_OPERATIONS', false),
  };
  const points = [
    ...cfg.ws.map((n) => ({ transport: 'ws', n })),
    ...cfg.sse.map((n) => ({ transport: 'sse', n })),
    ...cfg.sseRoute.map((n) => ({ transport: 'sse-route', n })),
  ];
  const { fdLimit, hardLimit } = fdLimitFor(Math.max(...points.map((p) => p.n)));

  const db = await createFreshDatabase(serverUrl);
  progress(`fresh database ${db.displayUrl}`);
  const measured = [];
  try {
    const info = await serverInfo(db.admin);
    const meter = new PgCpuMeter(db.admin, db.name, info.local);
    console.log(`\n## fanout — ${description}\n`);
    console.log(
      `node ${process.version} · ${cpuCount()} CPUs (${os.cpus()[0]?.model}) · PostgreSQL ${info.server_version} · ` +
        `synchronous_commit=${info.synchronous_commit} · fsync=${info.fsync}`,
    );
    console.log(
      `points: WS N={${cfg.ws.join(', ')}}, SSE N={${cfg.sse.join(', ')}}, @Sse() route N={${cfg.sseRoute.join(', ')}} · ${cfg.pairs} interleaved module/raw pair(s) per point · ` +
        `${cfg.procs} client processes · latency phase ${cfg.latencySeconds}s open-loop at min(${cfg.latencyRate}, ${cfg.latencyDeliveries}/N) events/s · ` +
        `burst ceil(${cfg.burstDeliveries}/N) events at once · pinning: ${cfg.pin ? 'server cpu0, clients cpu1' : 'no'} · ` +
        `children run with ulimit -n ${fdLimit} (hard limit ${hardLimit})\n`,
    );
    let runBase = 0;
    for (const { transport, n } of points) {
      for (let pair = 1; pair <= cfg.pairs; pair++) {
        const variants = cfg.operations ? ['module', 'raw', 'operated'] : ['module', 'raw'];
        const order = pair % 2 ? variants : [...variants].reverse();
        for (const variant of order) {
          progress(`${transport} N=${n} pair ${pair}: ${variant}`);
          runBase += 10;
          const r = await runVariant({ variant, transport, n, cfg, db, meter, fdLimit, pinned: cfg.pin, runBase });
          r.pair = pair;
          measured.push(r);
          const l = r.latency;
          const b = r.burst;
          progress(
            `  ${variant}: idle ${fmt(r.rss_kb_per_conn, 1)} KB/conn RSS (${fmt(r.rss_old_kb_per_conn, 1)} young gen. out, ${fmt(r.young_mb_idle, 1)} MB young) · latency p50 ${fmt(l.p50, 2)} p99 ${fmt(l.p99, 2)} ms ` +
              `(${l.received}/${l.expected}) · burst ${fmt(b.deliveries_per_s)} deliveries/s (${b.received}/${b.expected}) · ` +
              `client cores ${b.client_cores.map((c) => c.toFixed(2)).join('+')} · server ${b.server_cores.toFixed(2)}`,
          );
          console.log(JSON.stringify({ scenario: 'fanout', phase: 'run', ...roundDeep(r) }));
        }
      }
    }
  } finally {
    await db.drop();
  }
  report(cfg, points, measured);
}

function roundDeep(x) {
  if (typeof x === 'number') return round(x);
  if (Array.isArray(x)) return x.map(roundDeep);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, roundDeep(v)]));
  return x;
}

function report(cfg, points, measured) {
  const rows = [];
  const summary = [];
  for (const { transport, n } of points) {
    for (const variant of ['module', 'raw', 'operated']) {
      const rs = measured.filter((r) => r.transport === transport && r.n === n && r.variant === variant);
      if (!rs.length) continue;
      const agg = (f) => spread(rs.map(f));
      const sum = (f) => rs.reduce((a, r) => a + f(r), 0);
      const s = {
        transport,
        n,
        variant,
        runs: rs.length,
        rss: agg((r) => r.rss_kb_per_conn),
        rssOld: agg((r) => r.rss_old_kb_per_conn),
        heap: agg((r) => r.heap_kb_per_conn),
        p50: agg((r) => r.latency.p50),
        p99: agg((r) => r.latency.p99),
        max: agg((r) => r.latency.max),
        rate: agg((r) => r.burst.deliveries_per_s),
        cpu: agg((r) => r.burst.server_cpu_us_per_delivery),
        clientCores: agg((r) => Math.max(...r.burst.client_cores)),
        serverCores: agg((r) => r.burst.server_cores),
        latRate: rs[0].latency_rate,
        lost: sum((r) => r.latency.missing + r.burst.missing),
        extra: sum((r) => r.latency.extra + r.burst.extra),
        received: sum((r) => r.latency.received + r.burst.received),
        expected: sum((r) => r.latency.expected + r.burst.expected),
        closed: sum((r) => r.burst.closed),
      };
      summary.push(s);
      rows.push([
        LABELS[transport],
        n,
        variant,
        fmtSpread(s.rss, 1),
        fmtSpread(s.rssOld, 1),
        fmtSpread(s.heap, 2),
        fmt(s.latRate, 1),
        fmtSpread(s.p50, 2),
        fmtSpread(s.p99, 2),
        fmt(s.max.max, 1),
        fmtSpread(s.rate),
        fmtSpread(s.cpu, 1),
        `${fmt(s.serverCores.median, 2)} / ${fmt(s.clientCores.median, 2)}`,
        `${s.received}/${s.expected}${s.lost ? ` LOST ${s.lost}` : ''}${s.extra ? ` extra ${s.extra}` : ''}${s.closed ? ` closed ${s.closed}` : ''}`,
      ]);
    }
  }
  console.log(`\n### Results: median [min–max] over ${cfg.pairs} run(s) per variant\n`);
  console.log(
    table(
      [
        'transport',
        'N',
        'variant',
        'idle RSS KB/conn',
        'same, young gen. out',
        'idle heap KB/conn',
        'lat ev/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'burst deliveries/s',
        'server CPU µs/deliv',
        'burst cores server / max client proc',
        'received/expected',
      ],
      rows,
    ),
  );
  console.log(
    '\nLatency = send time (in the server process, just before broadcast()/INSERT) → arrival at a client, sampled across all ' +
      'clients of the open-loop phase. Burst deliveries/s = deliveries / (first send → last arrival anywhere). Idle memory = ' +
      'server (RSS, heapUsed) after forced GC with N idle subscribed clients, minus the same with the first BENCH_MEM_WARM_CONNS connected, / (N − those); ' +
      "'young gen. out' subtracts what V8's young generation holds at each point (it grows with the allocation rate of setting up connections, not with their number). " +
      "'max client proc' is the busiest client process in cores: near 1.0 means the harness, not the server, is the limit.",
  );

  const ratioRows = [];
  const verdicts = [];
  for (const { transport, n } of points) {
    const m = summary.find((s) => s.transport === transport && s.n === n && s.variant === 'module');
    const b = summary.find((s) => s.transport === transport && s.n === n && s.variant === 'raw');
    if (!m || !b) continue;
    // No target (the @Sse() route): the ratios are stated, not judged.
    const t = TARGETS[transport] ?? { rate: 0, p99: Infinity, kbPerConn: Infinity };
    const judged = transport in TARGETS;
    const rateRatio = m.rate.median / b.rate.median;
    const p99Ratio = m.p99.median / b.p99.median;
    const kb = m.rssOld.median;
    const ok = { rate: rateRatio >= t.rate, p99: p99Ratio <= t.p99, mem: kb <= t.kbPerConn, loss: m.lost === 0 && b.lost === 0 };
    const mark = (x) => (x ? 'MET' : 'NOT MET');
    const target = (text, met) => (judged ? ` (${text}) ${mark(met)}` : '');
    // The same ratios couple by couple (module and raw of one pair ran back to back).
    const perPair = (f) => {
      const out = [];
      for (let p = 1; p <= cfg.pairs; p++) {
        const rm = measured.find((r) => r.transport === transport && r.n === n && r.pair === p && r.variant === 'module');
        const rb = measured.find((r) => r.transport === transport && r.n === n && r.pair === p && r.variant === 'raw');
        if (rm && rb) out.push(f(rm) / f(rb));
      }
      return spread(out);
    };
    ratioRows.push([
      LABELS[transport],
      n,
      `${fmt(rateRatio, 2)}×${target(`≥ ${t.rate}×`, ok.rate)}`,
      fmtSpread(
        perPair((r) => r.burst.deliveries_per_s),
        2,
      ),
      `${fmt(p99Ratio, 2)}×${target(`≤ ${t.p99}×`, ok.p99)}`,
      fmtSpread(
        perPair((r) => r.latency.p99),
        2,
      ),
      `${fmt(m.p50.median / b.p50.median, 2)}×`,
      `${fmt(kb, 1)} KB vs raw ${fmt(b.rssOld.median, 1)}${target(`≤ ${t.kbPerConn} KB`, ok.mem)}; with young gen. ${fmt(m.rss.median, 1)} vs ${fmt(b.rss.median, 1)}`,
      ok.loss ? 'none' : `module ${m.lost}, raw ${b.lost}`,
    ]);
    verdicts.push({
      transport,
      n,
      rate_ratio: round(rateRatio),
      p99_ratio: round(p99Ratio),
      module_rss_old_kb_per_conn: round(kb, 2),
      raw_rss_old_kb_per_conn: round(b.rssOld.median, 2),
      module_rss_kb_per_conn: round(m.rss.median, 2),
      raw_rss_kb_per_conn: round(b.rss.median, 2),
      module_lost: m.lost,
      raw_lost: b.lost,
      pass: judged ? ok.rate && ok.p99 && ok.mem && ok.loss : undefined,
    });
  }
  console.log('\n### Module / raw, against the targets\n');
  console.log(
    table(
      [
        'transport',
        'N',
        'deliveries/s (of medians)',
        'per pair',
        'p99 (of medians)',
        'per pair',
        'p50',
        'idle RSS per conn, young gen. out (module)',
        'lost deliveries',
      ],
      ratioRows,
    ),
  );
  const operations = operationsCost(cfg, points, summary, measured);
  const saturated = summary.filter((s) => s.clientCores.median > 0.85);
  if (saturated.length) {
    console.log(
      `\nWARNING: a client process used > 0.85 core during the burst at ${saturated.map((s) => `${s.transport} N=${s.n} ${s.variant}`).join(', ')}: ` +
        'those deliveries/s are bounded by the harness as much as by the server (2-core box: server, clients and PostgreSQL share it).',
    );
  }
  const lost = summary.filter((s) => s.lost > 0);
  if (lost.length) console.log(`\nLOST MESSAGES: ${lost.map((s) => `${s.transport} N=${s.n} ${s.variant}: ${s.lost}`).join(', ')}`);
  console.log(
    JSON.stringify({ scenario: 'fanout', phase: 'summary', config: cfg, results: roundDeep(summary), ratios: verdicts, operations }),
  );
}

/** With BENCH_OPERATIONS: what the operations module costs, operated against module deliveries/s in the same run. */
function operationsCost(cfg, points, summary, measured) {
  if (!cfg.operations) return undefined;
  const rows = [];
  const costs = [];
  for (const { transport, n } of points) {
    const m = summary.find((s) => s.transport === transport && s.n === n && s.variant === 'module');
    const o = summary.find((s) => s.transport === transport && s.n === n && s.variant === 'operated');
    if (!m || !o) continue;
    const perPair = [];
    for (let p = 1; p <= cfg.pairs; p++) {
      const rm = measured.find((r) => r.transport === transport && r.n === n && r.pair === p && r.variant === 'module');
      const ro = measured.find((r) => r.transport === transport && r.n === n && r.pair === p && r.variant === 'operated');
      if (rm && ro) perPair.push(ro.burst.deliveries_per_s / rm.burst.deliveries_per_s);
    }
    const ratio = o.rate.median / m.rate.median;
    const cost = 1 - ratio;
    rows.push([
      LABELS[transport],
      n,
      `${fmt(ratio, 3)}× (${cost <= 0 ? 'no cost measured' : `costs ${fmt(cost * 100, 1)}%`}; target ≤ 3%: ${cost <= 0.03 ? 'MET' : 'NOT MET'})`,
      fmtSpread(spread(perPair), 3),
      `${fmt(o.cpu.median, 2)} vs ${fmt(m.cpu.median, 2)}`,
    ]);
    costs.push({ transport, n, rate_ratio: round(ratio, 4), per_pair: perPair.map((r) => round(r, 4)) });
  }
  console.log('\n### Operated / module: the operations module with metrics and /healthz\n');
  console.log(table(['transport', 'N', 'deliveries/s (of medians)', 'per pair', 'server CPU µs/deliv operated vs module'], rows));
  return costs;
}
