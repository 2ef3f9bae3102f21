// Scenario "topics": ephemeral topics (FirehoseTopicsModule), module vs a raw baseline, in one run
// against one fresh database.
//
//   module: Nest HTTP app from dist/ with TypeORM, FirehoseModule and FirehoseTopicsModule
//           (AllowAllTopicsAuthorizer); published with FirehoseTopicsService.publish().
//   raw:    bare `node:http` SSE, one `pg` LISTEN client, one `SELECT pg_notify($1, $2)` per
//           publish on a pg.Pool of 16, `res.write` per subscriber.
//
// Every server runs in a child process of its own (bench/lib/topics-server.mjs) with its
// publisher inside; SSE clients run in BENCH_CLIENT_PROCS child processes (bench/lib/fanout-clients.mjs).
// Per pair, module and raw interleaved (order alternating):
//   1. publish rate: BENCH_CONCURRENCY publishes outstanding from one process, no subscriber,
//      for BENCH_SECONDS → publishes/s and publish→commit latency;
//   2. latency: BENCH_SSE_CLIENTS subscribers of one topic, an open-loop publisher at
//      BENCH_LATENCY_RATE messages/s → publish→client p50/p99 (send time embedded in every
//      message, clocks calibrated over IPC), received against expected deliveries.
// Then, module only: BENCH_PUBLISHERS publishing processes at once, each round-robin over 16
// topics of its own, with shards 8 and shards 1 interleaved → total publishes/s.
import os from 'node:os';
import { cpuCount } from '../lib/cpu.mjs';
import { createFreshDatabase, serverInfo } from '../lib/db.mjs';
import { envNumber, progress, sleep } from '../lib/env.mjs';
import { clockOffset, FanoutClientsHandle } from '../lib/fanout-clients.mjs';
import { round, spread, summarize } from '../lib/stats.mjs';
import { fmtSpread, table } from '../lib/table.mjs';
import { TopicsServerHandle } from '../lib/topics-server.mjs';

export const description =
  'topics: publishes/s from one process, publish→client p50/p99 to N SSE subscribers (module vs raw LISTEN/NOTIFY), 8 vs 1 shard with P publishers';

export const knobs = {
  BENCH_PAIRS: 'interleaved module/raw pairs (default 2)',
  BENCH_SECONDS: 'seconds of each closed-loop publish run (default 5)',
  BENCH_CONCURRENCY: 'publishes outstanding per publishing process (default 64)',
  BENCH_SSE_CLIENTS: 'SSE subscribers of the latency phase (default 1000)',
  BENCH_CLIENT_PROCS: 'client child processes (default 2)',
  BENCH_LATENCY_RATE: 'messages/s of the open-loop latency phase (default 20)',
  BENCH_LATENCY_SECONDS: 'seconds of the latency phase (default 6)',
  BENCH_SAMPLES: 'latency samples wanted, across all clients (default 20000)',
  BENCH_GRACE_MS: 'how long clients wait for stragglers after the latency phase (default 3000)',
  BENCH_PUBLISHERS: 'publishing processes of the shards comparison (default 8; 0 skips it)',
};

const TOPIC = 'fan';

async function publishRate(variant, db, cfg, run) {
  const server = await TopicsServerHandle.start({ variant, url: db.url });
  try {
    const r = await server.request({ type: 'closed-loop', concurrency: cfg.concurrency, seconds: cfg.seconds, topics: [TOPIC], run });
    return { ok: r.ok, errors: r.errors, per_s: (r.ok / r.durationMs) * 1000, ack_p50: r.ack.p50, ack_p99: r.ack.p99 };
  } finally {
    await server.close();
  }
}

async function latency(variant, db, cfg, run) {
  const server = await TopicsServerHandle.start({ variant, url: db.url });
  const procs = [];
  try {
    const serverClock = await clockOffset(server);
    const n = cfg.clients;
    const shares = Array.from({ length: cfg.procs }, (_, p) => Math.floor(n / cfg.procs) + (p < n % cfg.procs ? 1 : 0)).filter(
      (s) => s > 0,
    );
    for (const share of shares) {
      const h = await FanoutClientsHandle.start({ fdLimit: Math.max(4096, share + 1024) });
      h.share = share;
      h.offset = (await clockOffset(h)).offset - serverClock.offset;
      procs.push(h);
    }
    await Promise.all(
      procs.map((h) => h.request({ type: 'connect', kind: 'sse', url: server.sseUrl(TOPIC), from: 0, to: h.share, wave: 250 })),
    );
    // Subscribed once the headers are in; the dispatcher registers them in the same turn.
    await sleep(500);
    const count = Math.max(1, Math.round(cfg.rate * cfg.latencySeconds));
    const sampleEvery = Math.max(1, Math.floor((count * n) / cfg.samples));
    await Promise.all(procs.map((h) => h.request({ type: 'begin', sampleEvery, offset: h.offset })));
    const pub = await server.request({ type: 'open-loop', topic: TOPIC, count, rate: cfg.rate, run });
    const results = await Promise.all(procs.map((h) => h.request({ type: 'end', perClient: count, graceMs: cfg.graceMs })));
    const lat = summarize(Float64Array.from(results.flatMap((r) => r.samples)).sort());
    const received = results.reduce((a, r) => a + r.total, 0);
    return {
      n,
      messages: count,
      expected: count * n,
      received,
      publish_errors: pub.errors,
      p50: lat.p50,
      p99: lat.p99,
      max: lat.max,
      samples: lat.count,
    };
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
    clients: envNumber('BENCH_SSE_CLIENTS', 1000),
    procs: envNumber('BENCH_CLIENT_PROCS', 2),
    rate: envNumber('BENCH_LATENCY_RATE', 20),
    latencySeconds: envNumber('BENCH_LATENCY_SECONDS', 6),
    samples: envNumber('BENCH_SAMPLES', 20000),
    graceMs: envNumber('BENCH_GRACE_MS', 3000),
    publishers: envNumber('BENCH_PUBLISHERS', 8),
  };
  const db = await createFreshDatabase(serverUrl);
  progress(`fresh database ${db.displayUrl}`);
  const rates = [];
  const latencies = [];
  const shardRuns = [];
  try {
    const info = await serverInfo(db.admin);
    console.log(`\n## topics — ${description}\n`);
    console.log(
      `node ${process.version} · ${cpuCount()} CPUs (${os.cpus()[0]?.model}) · PostgreSQL ${info.server_version} · ` +
        `synchronous_commit=${info.synchronous_commit} · fsync=${info.fsync}`,
    );
    console.log(
      `${cfg.pairs} interleaved module/raw pair(s) · closed loop ${cfg.concurrency} outstanding for ${cfg.seconds}s · ` +
        `latency: ${cfg.clients} SSE subscribers, ${cfg.rate} messages/s for ${cfg.latencySeconds}s · shards: ${cfg.publishers} publishing processes\n`,
    );
    // The module creates its tables (FirehoseModule's migrations) once, before anything is measured.
    await (await TopicsServerHandle.start({ variant: 'module', url: db.url })).close();
    let run = 0;
    for (let pair = 1; pair <= cfg.pairs; pair++) {
      for (const variant of pair % 2 ? ['module', 'raw'] : ['raw', 'module']) {
        progress(`pair ${pair}: ${variant} publish rate`);
        const rate = { variant, pair, ...(await publishRate(variant, db, cfg, ++run)) };
        rates.push(rate);
        console.log(JSON.stringify({ scenario: 'topics', phase: 'rate', ...roundAll(rate) }));
        progress(`pair ${pair}: ${variant} latency to ${cfg.clients} subscribers`);
        const lat = { variant, pair, ...(await latency(variant, db, cfg, ++run)) };
        latencies.push(lat);
        console.log(JSON.stringify({ scenario: 'topics', phase: 'latency', ...roundAll(lat) }));
      }
      if (cfg.publishers > 0) {
        for (const shards of pair % 2 ? [8, 1] : [1, 8]) {
          progress(`pair ${pair}: ${cfg.publishers} publishers, ${shards} shard(s)`);
          const r = { pair, ...(await shardRun(shards, db, cfg, ++run)) };
          shardRuns.push(r);
          console.log(JSON.stringify({ scenario: 'topics', phase: 'shards', ...roundAll(r) }));
        }
      }
    }
  } finally {
    await db.drop();
  }
  report(cfg, rates, latencies, shardRuns);
}

function roundAll(x) {
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]));
}

function report(cfg, rates, latencies, shardRuns) {
  const rows = ['module', 'raw'].map((variant) => {
    const r = rates.filter((x) => x.variant === variant);
    const l = latencies.filter((x) => x.variant === variant);
    const received = l.reduce((a, x) => a + x.received, 0);
    const expected = l.reduce((a, x) => a + x.expected, 0);
    return [
      variant,
      fmtSpread(spread(r.map((x) => x.per_s))),
      fmtSpread(spread(r.map((x) => x.ack_p50)), 2),
      fmtSpread(spread(l.map((x) => x.p50)), 2),
      fmtSpread(spread(l.map((x) => x.p99)), 2),
      `${received}/${expected}${received < expected ? ` LOST ${expected - received}` : ''}`,
      r.reduce((a, x) => a + x.errors, 0) + l.reduce((a, x) => a + x.publish_errors, 0),
    ];
  });
  console.log(`\n### Results: median [min–max] over ${cfg.pairs} run(s) per variant\n`);
  console.log(
    table(
      [
        'variant',
        'publishes/s (1 process)',
        'publish→commit p50 ms',
        `p50 ms to ${cfg.clients} SSE`,
        'p99 ms',
        'received/expected',
        'errors',
      ],
      rows,
    ),
  );
  if (shardRuns.length > 0) {
    const shardRows = [8, 1].map((shards) => {
      const r = shardRuns.filter((x) => x.shards === shards);
      return [shards, cfg.publishers, fmtSpread(spread(r.map((x) => x.per_s))), r.reduce((a, x) => a + x.errors, 0)];
    });
    console.log(`\n${table(['shards', 'publishing processes', 'publishes/s (total)', 'errors'], shardRows)}`);
  }
  console.log(
    '\nPublish rate = successful publishes / run time, BENCH_CONCURRENCY outstanding, no subscriber. Latency = send time (in the ' +
      'server process, just before publish()/pg_notify) → arrival at a subscriber, sampled across all subscribers.',
  );
}
