// Scenario "topics": ephemeral topics (FirehoseTopicsModule), module vs a raw baseline, in one run
// against one fresh database.
//
//   module: Nest HTTP app from dist/ with TypeORM, FirehoseModule and FirehoseTopicsModule
//           (AllowAllTopicsAuthorizer); published with FirehoseTopicsService.publish().
//   raw:    bare `node:http` SSE, one `pg` LISTEN client, one `SELECT pg_notify($1, $2)` per
//           publish on a pg.Pool of 16, `res.write` per subscriber.
//   gzip:   (BENCH_GZIP) the module with `sseCompression: true`, its clients sending
//           `Accept-Encoding: gzip` and inflating the stream as it arrives.
//
// Every server runs in a child process of its own (bench/lib/topics-server.mjs) with its
// publisher inside, so its CPU is its own and includes publishing; SSE clients run in
// BENCH_CLIENT_PROCS child processes (bench/lib/fanout-clients.mjs).
//   1. publish rate, per pair module and raw interleaved (order alternating): BENCH_CONCURRENCY
//      publishes outstanding from one process, no subscriber, for BENCH_SECONDS → publishes/s
//      and publish→commit latency;
//   2. fan-out, for each N of BENCH_SSE_CLIENTS and per pair module, raw (and gzip) interleaved
//      (order alternating): N subscribers of one topic; warm-up, then an open-loop publisher →
//      publish→client p50/p99 (send time in every message, one delivery in k sampled across all
//      clients, clocks calibrated over IPC); then a burst of messages issued at once →
//      deliveries/s from the first send to the last arrival, server CPU µs per delivery, bytes
//      read per delivery; every phase checks received against expected deliveries (messages × N);
//   3. shards, module only: BENCH_PUBLISHERS publishing processes at once, each round-robin over
//      16 topics of its own, with shards 8 and shards 1 interleaved → total publishes/s.
import os from 'node:os';
import { cpuCount, hasTaskset } from '../lib/cpu.mjs';
import { createFreshDatabase, PgCpuMeter, serverInfo } from '../lib/db.mjs';
import { envBool, envList, envNumber, now, progress, sleep } from '../lib/env.mjs';
import { clockOffset } from '../lib/fanout-clients.mjs';
import { fdLimitFor, measurePhase, startClientProcs } from '../lib/fanout-phase.mjs';
import { round, spread } from '../lib/stats.mjs';
import { fmt, fmtSpread, table } from '../lib/table.mjs';
import { TopicsServerHandle } from '../lib/topics-server.mjs';

export const description =
  'topics: publishes/s from one process, deliveries/s and publish→client p50/p99 to N SSE subscribers (module, gzip, raw LISTEN/NOTIFY), 8 vs 1 shard with P publishers';

export const knobs = {
  BENCH_PAIRS: 'interleaved module/raw(/gzip) runs per phase and point, order alternating (default 2)',
  BENCH_SECONDS: 'seconds of each closed-loop publish run (default 5)',
  BENCH_CONCURRENCY: 'publishes outstanding per publishing process (default 64)',
  BENCH_SSE_CLIENTS: 'comma list of SSE subscriber counts of the fan-out phases (default 1000,10000)',
  BENCH_GZIP: "adds the variant 'gzip' to the fan-out phases: the module with sseCompression, clients asking for gzip (default on)",
  BENCH_CLIENT_PROCS: 'client child processes per point (default 2)',
  BENCH_LATENCY_SECONDS: 'seconds of the open-loop latency phase (default 6)',
  BENCH_LATENCY_RATE: 'messages/s of the open-loop latency phase (default 20)...',
  BENCH_LATENCY_DELIVERIES: '...capped so that rate × N stays ≤ this many deliveries/s (default 20000)',
  BENCH_WARMUP_SECONDS: 'seconds of open-loop warm-up (at the latency rate) before the latency phase (default 1)',
  BENCH_BURST_DELIVERIES:
    'deliveries of the burst phase: messages = ceil(this / N) (default 200000); above the ring (1024 messages) the module drops the oldest',
  BENCH_SAMPLES: 'latency samples wanted per phase, across all clients (default 20000)',
  BENCH_GRACE_MS: 'how long clients wait for stragglers after a phase (default 3000)',
  BENCH_SETTLE_MS: 'idle time after all clients subscribed, before the first phase (default 1000)',
  BENCH_CONNECT_WAVE: 'connections opened at once per client process (default 250)',
  BENCH_PUBLISHERS: 'publishing processes of the shards comparison (default 8; 0 skips it)',
  BENCH_SERVER_NODE_ARGS: 'extra node flags for the server processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (default none)',
  BENCH_PIN: 'pin the fan-out server to CPU 0 and the client processes to CPU 1 with taskset (default off: clients then use both cores)',
};

const TOPIC = 'fan';
const TARGETS = { rate: 1.0, p99: 1.2, shards: 2 };

async function publishRate(variant, db, cfg, run) {
  const server = await TopicsServerHandle.start({ variant, url: db.url });
  try {
    const r = await server.request({ type: 'closed-loop', concurrency: cfg.concurrency, seconds: cfg.seconds, topics: [TOPIC], run });
    return { ok: r.ok, errors: r.errors, per_s: (r.ok / r.durationMs) * 1000, ack_p50: r.ack.p50, ack_p99: r.ack.p99 };
  } finally {
    await server.close();
  }
}

/** One variant at one N: server and clients up, warm-up, latency phase, burst phase, down. */
async function fanout({ variant, n, cfg, db, meter, fdLimit, runBase }) {
  const server = await TopicsServerHandle.start({ variant, url: db.url, fdLimit, pinCpus: cfg.pin ? '0' : undefined });
  const procs = [];
  try {
    const serverClock = await clockOffset(server);
    procs.push(...(await startClientProcs({ n, procs: cfg.procs, fdLimit, pinned: cfg.pin, serverClock })));
    const c0 = now();
    await Promise.all(
      procs.map((h) =>
        h.request({
          type: 'connect',
          kind: 'sse',
          gzip: variant === 'gzip',
          url: server.sseUrl(TOPIC),
          from: 0,
          to: h.share,
          wave: cfg.wave,
        }),
      ),
    );
    progress(`  ${variant} N=${n}: ${n} subscribers in ${((now() - c0) / 1000).toFixed(1)} s`);
    // Subscribed once the headers are in; the settle lets connection set-up work end first.
    await sleep(cfg.settleMs);

    const phase = async (kind, run, count, rate) => {
      const st0 = (await server.request({ type: 'stats' })).totals;
      const measured = await measurePhase({
        server,
        procs,
        serverClock,
        meter,
        n,
        count,
        samples: cfg.samples,
        graceMs: cfg.graceMs,
        publish: () =>
          server.request(
            kind === 'burst' ? { type: 'burst', topic: TOPIC, run, count } : { type: 'open-loop', topic: TOPIC, run, count, rate },
          ),
      });
      const st1 = (await server.request({ type: 'stats' })).totals;
      return {
        messages: count,
        ...measured,
        // The module's own count of what it threw away: ring overflow, subscribers hung up on.
        ring_dropped: st0 && st1 ? st1.dropped - st0.dropped : undefined,
        subscribers_dropped: st0 && st1 ? st1.droppedSubscribers - st0.droppedSubscribers : undefined,
      };
    };

    const rate = Math.max(0.5, Math.min(cfg.latencyRate, cfg.latencyDeliveries / n));
    await phase('open-loop', runBase, Math.max(2, Math.round(rate * cfg.warmupSeconds)), rate);
    const latency = await phase('open-loop', runBase + 1, Math.max(1, Math.round(rate * cfg.latencySeconds)), rate);
    const burst = await phase('burst', runBase + 2, Math.ceil(cfg.burstDeliveries / n), undefined);
    return { variant, n, latency_rate: rate, latency, burst };
  } finally {
    await Promise.all(procs.map((h) => h.close()));
    await server.close();
  }
}

async function shardRun(shards, db, cfg, run) {
  const servers = await Promise.all(
    Array.from({ length: cfg.publishers }, () => TopicsServerHandle.start({ variant: 'module', url: db.url, shards })),
  );
  try {
    const results = await Promise.all(
      servers.map((server, p) =>
        server.request({
          type: 'closed-loop',
          concurrency: cfg.concurrency,
          seconds: cfg.seconds,
          topics: Array.from({ length: 16 }, (_, t) => `p${p}-t${t}`),
          run,
        }),
      ),
    );
    const ok = results.reduce((a, r) => a + r.ok, 0);
    const durationMs = Math.max(...results.map((r) => r.durationMs));
    return { shards, publishers: cfg.publishers, ok, errors: results.reduce((a, r) => a + r.errors, 0), per_s: (ok / durationMs) * 1000 };
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }
}

export async function run({ serverUrl }) {
  const cfg = {
    pairs: envNumber('BENCH_PAIRS', 2),
    seconds: envNumber('BENCH_SECONDS', 5),
    concurrency: envNumber('BENCH_CONCURRENCY', 64),
    clients: envList('BENCH_SSE_CLIENTS', [1000, 10000]),
    gzip: envBool('BENCH_GZIP', true),
    procs: envNumber('BENCH_CLIENT_PROCS', 2),
    latencySeconds: envNumber('BENCH_LATENCY_SECONDS', 6),
    latencyRate: envNumber('BENCH_LATENCY_RATE', 20),
    latencyDeliveries: envNumber('BENCH_LATENCY_DELIVERIES', 20000),
    warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 1),
    burstDeliveries: envNumber('BENCH_BURST_DELIVERIES', 200000),
    samples: envNumber('BENCH_SAMPLES', 20000),
    graceMs: envNumber('BENCH_GRACE_MS', 3000),
    settleMs: envNumber('BENCH_SETTLE_MS', 1000),
    wave: envNumber('BENCH_CONNECT_WAVE', 250),
    publishers: envNumber('BENCH_PUBLISHERS', 8),
    pin: envBool('BENCH_PIN', false) && hasTaskset() && cpuCount() >= 2,
  };
  const variants = cfg.gzip ? ['module', 'raw', 'gzip'] : ['module', 'raw'];
  const { fdLimit, hardLimit } = fdLimitFor(Math.max(0, ...cfg.clients));

  const db = await createFreshDatabase(serverUrl);
  progress(`fresh database ${db.displayUrl}`);
  const rates = [];
  const measured = [];
  const shardRuns = [];
  try {
    const info = await serverInfo(db.admin);
    const meter = new PgCpuMeter(db.admin, db.name, info.local);
    console.log(`\n## topics — ${description}\n`);
    console.log(
      `node ${process.version} · ${cpuCount()} CPUs (${os.cpus()[0]?.model}) · PostgreSQL ${info.server_version} · ` +
        `synchronous_commit=${info.synchronous_commit} · fsync=${info.fsync}`,
    );
    console.log(
      `${cfg.pairs} interleaved pair(s) per phase and point · publish rate: ${cfg.concurrency} outstanding for ${cfg.seconds}s · ` +
        `fan-out: ${variants.join('/')} to N={${cfg.clients.join(', ')}} SSE subscribers in ${cfg.procs} client processes, ` +
        `latency ${cfg.latencySeconds}s open-loop at min(${cfg.latencyRate}, ${cfg.latencyDeliveries}/N) messages/s, ` +
        `burst ceil(${cfg.burstDeliveries}/N) messages at once · shards: ${cfg.publishers} publishing processes · ` +
        `pinning: ${cfg.pin ? 'server cpu0, clients cpu1' : 'no'} · children run with ulimit -n ${fdLimit} (hard limit ${hardLimit})\n`,
    );
    // The module creates its tables (FirehoseModule's migrations) once, before anything is measured.
    await (await TopicsServerHandle.start({ variant: 'module', url: db.url })).close();
    let run = 0;
    for (let pair = 1; pair <= cfg.pairs; pair++) {
      for (const variant of pair % 2 ? ['module', 'raw'] : ['raw', 'module']) {
        progress(`pair ${pair}: ${variant} publish rate`);
        const rate = { variant, pair, ...(await publishRate(variant, db, cfg, ++run)) };
        rates.push(rate);
        console.log(JSON.stringify({ scenario: 'topics', phase: 'rate', ...roundDeep(rate) }));
      }
    }
    for (const n of cfg.clients) {
      for (let pair = 1; pair <= cfg.pairs; pair++) {
        for (const variant of pair % 2 ? variants : [...variants].reverse()) {
          progress(`N=${n} pair ${pair}: ${variant}`);
          run += 10;
          const r = { pair, ...(await fanout({ variant, n, cfg, db, meter, fdLimit, runBase: run })) };
          measured.push(r);
          const l = r.latency;
          const b = r.burst;
          progress(
            `  ${variant}: latency p50 ${fmt(l.p50, 2)} p99 ${fmt(l.p99, 2)} ms (${l.received}/${l.expected}) · ` +
              `burst ${fmt(b.deliveries_per_s)} deliveries/s (${b.received}/${b.expected}), ${fmt(b.server_cpu_us_per_delivery, 2)} µs server CPU each · ` +
              `client cores ${b.client_cores.map((c) => c.toFixed(2)).join('+')} · server ${b.server_cores.toFixed(2)}`,
          );
          console.log(JSON.stringify({ scenario: 'topics', phase: 'fanout', ...roundDeep(r) }));
        }
      }
    }
    if (cfg.publishers > 0) {
      for (let pair = 1; pair <= cfg.pairs; pair++) {
        for (const shards of pair % 2 ? [8, 1] : [1, 8]) {
          progress(`pair ${pair}: ${cfg.publishers} publishers, ${shards} shard(s)`);
          const r = { pair, ...(await shardRun(shards, db, cfg, ++run)) };
          shardRuns.push(r);
          console.log(JSON.stringify({ scenario: 'topics', phase: 'shards', ...roundDeep(r) }));
        }
      }
    }
  } finally {
    await db.drop();
  }
  report(cfg, variants, rates, measured, shardRuns);
}

function roundDeep(x) {
  if (typeof x === 'number') return round(x);
  if (Array.isArray(x)) return x.map(roundDeep);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, roundDeep(v)]));
  return x;
}

const mark = (met) => (met ? 'MET' : 'NOT MET');

function report(cfg, variants, rates, measured, shardRuns) {
  console.log(`\n### Results: median [min–max] over ${cfg.pairs} run(s) per variant\n`);
  const rateRows = ['module', 'raw'].map((variant) => {
    const r = rates.filter((x) => x.variant === variant);
    return [
      variant,
      fmtSpread(spread(r.map((x) => x.per_s))),
      fmtSpread(spread(r.map((x) => x.ack_p50)), 2),
      fmtSpread(spread(r.map((x) => x.ack_p99)), 2),
      r.reduce((a, x) => a + x.errors, 0),
    ];
  });
  console.log(table(['variant', 'publishes/s (1 process, no subscriber)', 'publish→commit p50 ms', 'p99 ms', 'errors'], rateRows));

  const summary = [];
  const rows = [];
  for (const n of cfg.clients) {
    for (const variant of variants) {
      const rs = measured.filter((r) => r.n === n && r.variant === variant);
      if (!rs.length) continue;
      const agg = (f) => spread(rs.map(f));
      const sum = (f) => rs.reduce((a, r) => a + f(r), 0);
      const s = {
        n,
        variant,
        runs: rs.length,
        latRate: rs[0].latency_rate,
        p50: agg((r) => r.latency.p50),
        p99: agg((r) => r.latency.p99),
        max: agg((r) => r.latency.max),
        rate: agg((r) => r.burst.deliveries_per_s),
        cpu: agg((r) => r.burst.server_cpu_us_per_delivery),
        bytes: agg((r) => r.burst.bytes_per_delivery),
        latBytes: agg((r) => r.latency.bytes_per_delivery),
        serverCores: agg((r) => r.burst.server_cores),
        clientCores: agg((r) => Math.max(...r.burst.client_cores)),
        received: sum((r) => r.latency.received + r.burst.received),
        expected: sum((r) => r.latency.expected + r.burst.expected),
        lost: sum((r) => r.latency.missing + r.burst.missing),
        extra: sum((r) => r.latency.extra + r.burst.extra),
        closed: sum((r) => r.burst.closed),
        ringDropped: sum((r) => (r.latency.ring_dropped ?? 0) + (r.burst.ring_dropped ?? 0)),
        subscribersDropped: sum((r) => (r.latency.subscribers_dropped ?? 0) + (r.burst.subscribers_dropped ?? 0)),
        errors: sum((r) => r.latency.publish_errors + r.burst.publish_errors),
      };
      summary.push(s);
      rows.push([
        n,
        variant,
        fmt(s.latRate, 1),
        fmtSpread(s.p50, 2),
        fmtSpread(s.p99, 2),
        fmt(s.max.max, 1),
        fmtSpread(s.rate),
        fmtSpread(s.cpu, 2),
        `${fmt(s.latBytes.median, 1)} · ${fmt(s.bytes.median, 1)}`,
        `${fmt(s.serverCores.median, 2)} / ${fmt(s.clientCores.median, 2)}`,
        `${s.received}/${s.expected}${s.lost ? ` LOST ${s.lost}` : ''}${s.extra ? ` extra ${s.extra}` : ''}` +
          `${s.closed ? ` closed ${s.closed}` : ''}${s.ringDropped ? ` ring-dropped ${s.ringDropped}` : ''}` +
          `${s.subscribersDropped ? ` hung-up ${s.subscribersDropped}` : ''}${s.errors ? ` publish errors ${s.errors}` : ''}`,
      ]);
    }
  }
  console.log(
    `\n${table(
      [
        'N SSE',
        'variant',
        'lat msg/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'burst deliveries/s',
        'server CPU µs/deliv',
        'bytes read/deliv latency · burst',
        'burst cores server / max client proc',
        'received/expected',
      ],
      rows,
    )}`,
  );

  // The same ratio pair by pair (the variants of one pair ran back to back).
  const perPair = (n, a, b, f) => {
    const out = [];
    for (let p = 1; p <= cfg.pairs; p++) {
      const ra = measured.find((r) => r.n === n && r.pair === p && r.variant === a);
      const rb = measured.find((r) => r.n === n && r.pair === p && r.variant === b);
      if (ra && rb) out.push(f(ra) / f(rb));
    }
    return spread(out);
  };
  const find = (n, variant) => summary.find((s) => s.n === n && s.variant === variant);

  const ratioRows = [];
  const verdicts = [];
  for (const n of cfg.clients) {
    const m = find(n, 'module');
    const b = find(n, 'raw');
    if (!m || !b) continue;
    const rateRatio = m.rate.median / b.rate.median;
    const p99Ratio = m.p99.median / b.p99.median;
    const ok = { rate: rateRatio >= TARGETS.rate, p99: p99Ratio <= TARGETS.p99, loss: m.lost === 0 && b.lost === 0 };
    ratioRows.push([
      n,
      `${fmt(rateRatio, 2)}× (≥ ${TARGETS.rate}×) ${mark(ok.rate)}`,
      fmtSpread(
        perPair(n, 'module', 'raw', (r) => r.burst.deliveries_per_s),
        2,
      ),
      `${fmt(p99Ratio, 2)}× (≤ ${TARGETS.p99}×) ${mark(ok.p99)}`,
      fmtSpread(
        perPair(n, 'module', 'raw', (r) => r.latency.p99),
        2,
      ),
      `${fmt(m.p50.median / b.p50.median, 2)}×`,
      `${fmt(m.cpu.median, 2)} vs ${fmt(b.cpu.median, 2)}`,
      ok.loss ? 'none' : `module ${m.lost}, raw ${b.lost}`,
    ]);
    verdicts.push({
      n,
      rate_ratio: round(rateRatio),
      p99_ratio: round(p99Ratio),
      module_lost: m.lost,
      raw_lost: b.lost,
      pass: ok.rate && ok.p99 && ok.loss,
    });
  }
  console.log('\n### Module / raw, against the targets\n');
  console.log(
    table(
      [
        'N SSE',
        'deliveries/s (of medians)',
        'per pair',
        'p99 (of medians)',
        'per pair',
        'p50',
        'server CPU µs/deliv module vs raw',
        'lost deliveries',
      ],
      ratioRows,
    ),
  );

  const gzipCosts = [];
  if (cfg.gzip) {
    const gzipRows = [];
    for (const n of cfg.clients) {
      const m = find(n, 'module');
      const g = find(n, 'gzip');
      if (!m || !g) continue;
      const rateRatio = g.rate.median / m.rate.median;
      const cpuCost = g.cpu.median - m.cpu.median;
      gzipRows.push([
        n,
        `${fmt(rateRatio, 2)}×`,
        fmtSpread(
          perPair(n, 'gzip', 'module', (r) => r.burst.deliveries_per_s),
          2,
        ),
        `${fmt(g.cpu.median, 2)} vs ${fmt(m.cpu.median, 2)} (+${fmt(cpuCost, 2)})`,
        `${fmt(g.p50.median, 2)} vs ${fmt(m.p50.median, 2)}`,
        `${fmt(g.p99.median, 2)} vs ${fmt(m.p99.median, 2)}`,
        `${fmt(g.latBytes.median, 1)} · ${fmt(g.bytes.median, 1)} vs ${fmt(m.latBytes.median, 1)} · ${fmt(m.bytes.median, 1)}`,
        g.lost ? `gzip ${g.lost}` : 'none',
      ]);
      gzipCosts.push({
        n,
        rate_ratio: round(rateRatio),
        server_cpu_us_per_delivery: round(g.cpu.median),
        module_server_cpu_us_per_delivery: round(m.cpu.median),
        cpu_us_per_delivery_added: round(cpuCost),
        p50: round(g.p50.median),
        p99: round(g.p99.median),
        bytes_per_delivery_latency: round(g.latBytes.median),
        bytes_per_delivery_burst: round(g.bytes.median),
        lost: g.lost,
      });
    }
    console.log('\n### Gzip / module: what sseCompression costs\n');
    console.log(
      table(
        [
          'N SSE',
          'deliveries/s (of medians)',
          'per pair',
          'server CPU µs/deliv gzip vs module (added)',
          'p50 ms gzip vs module',
          'p99 ms gzip vs module',
          'bytes read/deliv latency · burst, gzip vs module',
          'lost deliveries',
        ],
        gzipRows,
      ),
    );
  }

  let shardVerdict;
  if (shardRuns.length > 0) {
    const shardSummary = [8, 1].map((shards) => {
      const r = shardRuns.filter((x) => x.shards === shards);
      return { shards, rate: spread(r.map((x) => x.per_s)), errors: r.reduce((a, x) => a + x.errors, 0) };
    });
    const shardRows = shardSummary.map((s) => [s.shards, cfg.publishers, fmtSpread(s.rate), s.errors]);
    console.log(`\n${table(['shards', 'publishing processes', 'publishes/s (total)', 'errors'], shardRows)}`);
    const ratio = shardSummary[0].rate.median / shardSummary[1].rate.median;
    shardVerdict = { publishers: cfg.publishers, ratio: round(ratio), pass: ratio >= TARGETS.shards };
    console.log(
      `\n8 shards / 1 shard with ${cfg.publishers} publishing processes: ${fmt(ratio, 2)}× (≥ ${TARGETS.shards}×) ${mark(shardVerdict.pass)}`,
    );
  }

  console.log(
    '\nPublish rate = successful publishes / run time, BENCH_CONCURRENCY outstanding, no subscriber. Latency = send time (in the ' +
      'server process, just before publish()/pg_notify) → arrival at a subscriber (after inflating, for gzip), sampled across all ' +
      'subscribers of the open-loop phase. Burst deliveries/s = deliveries / (first send → last arrival anywhere). Server CPU µs/deliv = ' +
      "the server process's CPU (all its threads, publishing included) during the burst / deliveries. Bytes read/deliv = bytes the " +
      'clients read from their sockets / deliveries, in the latency phase (about one message per write) and the burst (many per write). ' +
      "'max client proc' is the busiest client process in cores: " +
      "near 1.0 means the harness, not the server, is the limit. ring-dropped and hung-up are the module's own counts (stats()).",
  );
  const saturated = summary.filter((s) => s.clientCores.median > 0.85);
  if (saturated.length) {
    console.log(
      `\nWARNING: a client process used > 0.85 core during the burst at ${saturated.map((s) => `N=${s.n} ${s.variant}`).join(', ')}: ` +
        'those deliveries/s are bounded by the harness as much as by the server (2-core box: server, clients and PostgreSQL share it).',
    );
  }
  const lost = summary.filter((s) => s.lost > 0);
  if (lost.length) console.log(`\nLOST MESSAGES: ${lost.map((s) => `N=${s.n} ${s.variant}: ${s.lost}`).join(', ')}`);
  console.log(
    JSON.stringify({
      scenario: 'topics',
      phase: 'summary',
      config: cfg,
      results: roundDeep(summary),
      ratios: verdicts,
      gzip: cfg.gzip ? gzipCosts : undefined,
      shards: shardVerdict,
    }),
  );
}
