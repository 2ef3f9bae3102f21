// Scenario "change-feed": inserts/s into a table with a change feed beside the same table without
// one, and commit→client latency of the changes.
//
// One Nest application context (TypeOrmModule + FirehoseModule.forRoot({})) runs the change-feed
// relay, as an app would. The load is a pg.Pool of BENCH_CONCURRENCY connections, one autocommit
// INSERT per call, in a closed loop; the same statement goes to `plain_items` and `feed_items`
// (identical tables, only the second has a feed enabled), runs interleaved A B A B after a
// warm-up of each. Latency = the INSERT's resolve time (its commit acknowledged) → the change
// arriving through firehose.stream('table:public.feed_items') in the same process (one clock).
import 'reflect-metadata';
import pg from 'pg';
import { closedLoop } from '../lib/closed-loop.mjs';
import { machineCpu } from '../lib/cpu.mjs';
import { createFreshDatabase, PgCpuMeter, serverInfo } from '../lib/db.mjs';
import { envList, envNumber, envString, progress, now, sleep } from '../lib/env.mjs';
import { round, Samples, spread } from '../lib/stats.mjs';
import { fmt, fmtSpread, table } from '../lib/table.mjs';

export const description = 'inserts/s into a table with a change feed vs the same table without, and commit→client latency';

export const knobs = {
  BENCH_SECONDS: 'seconds per measured run (default 5)',
  BENCH_PAIRS: 'interleaved plain/feed pairs per concurrency (default 3)',
  BENCH_WARMUP_SECONDS: 'warm-up per variant (default 2)',
  BENCH_CONCURRENCY: 'comma list of outstanding INSERTs (default 16)',
  BENCH_PAYLOAD_BYTES: 'bytes of the text column of each row (default 100)',
  BENCH_GRACE_MS: 'how long to wait for the last changes after a feed run (default 5000)',
  BENCH_MODULE_OPTIONS: 'JSON passed to FirehoseModule.forRoot() for experiments, e.g. {"cleanupInterval":3600000} (default {})',
};

const TABLE_SQL = (name) => `CREATE TABLE ${name} (
  id bigserial PRIMARY KEY,
  worker int NOT NULL,
  seq int NOT NULL,
  name text NOT NULL,
  price numeric(10,2) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
)`;

async function startApp(url, options) {
  const [{ Module }, { NestFactory }, { TypeOrmModule }, lib] = await Promise.all([
    import('@nestjs/common'),
    import('@nestjs/core'),
    import('@nestjs/typeorm'),
    import('../../dist/lib/index.js'),
  ]);
  const {
    CHANGE_FEED_MIGRATIONS,
    FIREHOSE_ENTITIES,
    FIREHOSE_MIGRATIONS,
    FirehoseChangeFeedModule,
    FirehoseChangeFeedService,
    FirehoseModule,
    FirehoseService,
  } = lib;
  class BenchModule {}
  Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url,
        entities: FIREHOSE_ENTITIES,
        migrations: [...FIREHOSE_MIGRATIONS, ...CHANGE_FEED_MIGRATIONS],
        migrationsRun: true,
      }),
      FirehoseModule.forRoot(options),
      FirehoseChangeFeedModule,
    ],
  })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
  await app.init();
  return { app, firehose: app.get(FirehoseService), changeFeeds: app.get(FirehoseChangeFeedService) };
}

export async function run({ serverUrl }) {
  const cfg = {
    seconds: envNumber('BENCH_SECONDS', 5),
    pairs: envNumber('BENCH_PAIRS', 3),
    warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 2),
    concurrency: envList('BENCH_CONCURRENCY', [16]),
    payloadBytes: envNumber('BENCH_PAYLOAD_BYTES', 100),
    graceMs: envNumber('BENCH_GRACE_MS', 5000),
    moduleOptions: JSON.parse(envString('BENCH_MODULE_OPTIONS', '{}')),
  };
  const db = await createFreshDatabase(serverUrl);
  progress(`database ${db.displayUrl}`);
  let app;
  let pool;
  let subscription;
  try {
    const env = await serverInfo(db.admin);
    await db.admin.query(TABLE_SQL('plain_items'));
    await db.admin.query(TABLE_SQL('feed_items'));
    const started = await startApp(db.url, cfg.moduleOptions);
    app = started.app;
    const firehose = started.firehose;
    await started.changeFeeds.enable('public', 'feed_items');
    const meter = new PgCpuMeter(db.admin, db.name, env.local);

    const pad = 'x'.repeat(cfg.payloadBytes);
    const maxConcurrency = Math.max(...cfg.concurrency);
    pool = new pg.Pool({ connectionString: db.url, max: maxConcurrency, application_name: 'bench-writer' });
    const clients = await Promise.all(Array.from({ length: maxConcurrency }, () => pool.connect()));
    for (const c of clients) c.release();

    // Commit acknowledgements of the current feed run, by `worker:seq`, and what arrived.
    let run = 0;
    let acks = new Map();
    let latency = new Samples();
    let received = 0;
    let early = 0;
    let live = false;
    subscription = firehose.stream('table:public.feed_items', { onLive: () => (live = true) }).subscribe((item) => {
      const at = now();
      if (item.type === 'reset') return;
      const r = item.data.record;
      if (!r || r.price !== run) return;
      received++;
      const acked = acks.get(`${r.worker}:${r.seq}`);
      // The change can beat the writer's acknowledgement (the relay may run first); count it as 0.
      if (acked === undefined) early++;
      latency.push(acked === undefined ? 0 : at - acked);
    });
    while (!live) await sleep(10);

    const measure = async (tableName, concurrency, seconds, phase, pair) => {
      run++;
      const thisRun = run;
      acks = new Map();
      latency = new Samples();
      received = 0;
      early = 0;
      const sql = `INSERT INTO ${tableName} (worker, seq, name, price) VALUES ($1, $2, $3, $4)`;
      const m0 = machineCpu();
      const pg0 = await meter.start();
      const c0 = process.cpuUsage();
      const res = await closedLoop({
        concurrency,
        seconds,
        call: async (w, i) => {
          await pool.query(sql, [w, i, pad, thisRun]);
          if (tableName === 'feed_items') acks.set(`${w}:${i}`, now());
        },
      });
      const insertCpu = process.cpuUsage(c0);
      const pgCpu = await meter.stop(pg0);
      const m1 = machineCpu();
      const rate = res.ok / (res.durationMs / 1000);
      // Wait for the relay to deliver the run's changes (not counted in the rate).
      let lag = 0;
      if (tableName === 'feed_items') {
        const t0 = now();
        let last = received;
        let lastAt = t0;
        while (received < res.ok && now() - lastAt < cfg.graceMs) {
          await sleep(5);
          if (received !== last) [last, lastAt] = [received, now()];
        }
        lag = now() - t0;
      }
      const l = latency.summary();
      const record = {
        scenario: 'change-feed',
        phase,
        pair,
        variant: tableName === 'feed_items' ? 'feed' : 'plain',
        concurrency,
        seconds,
        inserts: res.ok,
        errors: res.errors,
        first_error: res.firstError,
        rate: round(rate, 1),
        insert_p50: round(res.ack.summary().p50),
        insert_p99: round(res.ack.summary().p99),
        received: tableName === 'feed_items' ? received : undefined,
        lost: tableName === 'feed_items' ? res.ok - received : undefined,
        early: tableName === 'feed_items' ? early : undefined,
        drain_ms: round(lag, 0),
        latency_p50: round(l.p50),
        latency_p99: round(l.p99),
        latency_max: round(l.max),
        app_cpu_us_per_insert: round((insertCpu.user + insertCpu.system) / Math.max(1, res.ok), 1),
        pg_cpu_us_per_insert: pgCpu ? round(pgCpu.us / Math.max(1, res.ok), 1) : undefined,
        machine_busy_cores: m0 && m1 ? round((m1.busyUs - m0.busyUs) / res.durationMs / 1000, 2) : undefined,
      };
      progress(
        `${phase}${pair ? ` pair ${pair}` : ''} ${record.variant.padEnd(5)} c=${concurrency}: ${fmt(rate)} inserts/s` +
          (record.variant === 'feed' ? `, commit→client p50 ${fmt(l.p50)} ms p99 ${fmt(l.p99)} ms, received ${received}/${res.ok}` : '') +
          (res.errors ? `, ${res.errors} errors (${res.firstError})` : ''),
      );
      return record;
    };

    const records = [];
    for (const c of cfg.concurrency) {
      if (cfg.warmupSeconds > 0) {
        await measure('plain_items', c, cfg.warmupSeconds, 'warmup');
        await measure('feed_items', c, cfg.warmupSeconds, 'warmup');
      }
      for (let pair = 1; pair <= cfg.pairs; pair++) {
        // Alternate which goes first, so neither always runs on a freshly vacuumed or checkpointed server.
        const order = pair % 2 ? ['plain_items', 'feed_items'] : ['feed_items', 'plain_items'];
        for (const name of order) {
          await db.admin.query('CHECKPOINT');
          const r = await measure(name, c, cfg.seconds, 'measure', pair);
          console.log(JSON.stringify(r));
          records.push(r);
        }
      }
    }
    report(records, cfg, env);
  } finally {
    subscription?.unsubscribe();
    await pool?.end().catch(() => undefined);
    await app?.close().catch((e) => progress(`closing the app: ${e.message}`));
    await db.drop();
    progress(`dropped ${db.name}`);
  }
}

function report(records, cfg, env) {
  const rows = [];
  const verdicts = [];
  for (const c of cfg.concurrency) {
    const plain = records.filter((r) => r.concurrency === c && r.variant === 'plain');
    const feed = records.filter((r) => r.concurrency === c && r.variant === 'feed');
    const ratios = [];
    for (let pair = 1; pair <= cfg.pairs; pair++) {
      const p = plain.find((r) => r.pair === pair);
      const f = feed.find((r) => r.pair === pair);
      if (p && f) ratios.push(f.rate / p.rate);
    }
    const pr = spread(plain.map((r) => r.rate));
    const fr = spread(feed.map((r) => r.rate));
    const ratio = spread(ratios);
    const lost = feed.reduce((a, r) => a + r.lost, 0);
    const expected = feed.reduce((a, r) => a + r.inserts, 0);
    rows.push(['plain', c, fmtSpread(pr), '', '', '', '', fmt(spread(plain.map((r) => r.pg_cpu_us_per_insert)).median, 0)]);
    rows.push([
      'feed',
      c,
      fmtSpread(fr),
      fmtSpread(ratio, 2),
      fmtSpread(spread(feed.map((r) => r.latency_p50)), 1),
      fmtSpread(spread(feed.map((r) => r.latency_p99)), 1),
      `${expected - lost}/${expected}${lost ? ` LOST ${lost}` : ''}`,
      fmt(spread(feed.map((r) => r.pg_cpu_us_per_insert)).median, 0),
    ]);
    verdicts.push({
      concurrency: c,
      ratio: ratio.median,
      lost,
      plain: pr.median,
      feed: fr.median,
      p99: spread(feed.map((r) => r.latency_p99)).median,
    });
  }
  console.log(`\n### Change feed: median [min–max] over ${cfg.pairs} interleaved runs of ${cfg.seconds}s\n`);
  console.log(
    table(
      ['table', 'c', 'inserts/s', 'feed/plain per pair', 'commit→client p50 ms', 'commit→client p99 ms', 'received', 'PG CPU µs/insert'],
      rows,
    ),
  );
  console.log(
    "\nOne autocommit INSERT per call from a pg.Pool; the feed table's rate includes the relay (same process) and its " +
      'PostgreSQL work, which share the machine. commit→client = INSERT resolved → change received through firehose.stream().',
  );
  const target = verdicts.find((v) => v.concurrency === 16) ?? verdicts.at(-1);
  if (target) {
    const ok = target.ratio >= 0.5 && target.lost === 0;
    console.log(
      `\nTarget at c=${target.concurrency}: feed table keeps ≥ 50% of the plain insert rate: ${target.ratio >= 0.5 ? 'MET' : 'NOT MET'} ` +
        `(${fmt(target.ratio * 100, 0)}%: ${fmt(target.feed)} vs ${fmt(target.plain)} inserts/s); commit→client p99 ${fmt(target.p99, 1)} ms; ` +
        `lost changes: ${target.lost} → ${ok ? 'PASS' : 'FAIL'}`,
    );
  }
  console.log(
    JSON.stringify({
      scenario: 'change-feed',
      phase: 'summary',
      env,
      config: cfg,
      verdicts: verdicts.map((v) => ({ ...v, ratio: round(v.ratio) })),
    }),
  );
}
