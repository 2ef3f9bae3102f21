// Scenario "broadcast": persisted broadcasts/s and broadcast→listener latency, module vs naive.
//
// Both variants run in this process against one fresh database, interleaved A B A B ... per
// concurrency level, after a warm-up each. One plain `pg` LISTEN client in a child process (the
// receiver, on another core when pinning is on) hears both channels and timestamps every event.
//
//   module: Nest application context + TypeOrmModule + FirehoseModule.forRoot({}),
//           FirehoseService.broadcast(stream, data); NOTIFY channel 'firehose'.
//   naive:  pg.Pool(16), one autocommit statement per broadcast:
//           WITH i AS (INSERT ... RETURNING ...) SELECT pg_notify('naive', json_build_object(...)) FROM i
import 'reflect-metadata';
import os from 'node:os';
import pg from 'pg';
import { closedLoop } from '../lib/closed-loop.mjs';
import { cpuCount, hasTaskset, machineCpu, pinSelf, snapshotAll, topOthers } from '../lib/cpu.mjs';
import { createFreshDatabase, PgCpuMeter, serverInfo } from '../lib/db.mjs';
import { envBool, envList, envNumber, envString, now, progress, sleep } from '../lib/env.mjs';
import { ReceiverHandle } from '../lib/notify-receiver.mjs';
import { round, Samples, spread } from '../lib/stats.mjs';
import { fmt, fmtSpread, table } from '../lib/table.mjs';

export const description = 'persisted broadcasts/s and broadcast→LISTEN latency, FirehoseService.broadcast vs bare pg INSERT+pg_notify';

export const knobs = {
  BENCH_SECONDS: 'seconds per measured run (default 5)',
  BENCH_PAIRS: 'interleaved module/naive pairs per concurrency (default 3)',
  BENCH_WARMUP_SECONDS: 'warm-up per variant (default 3)',
  BENCH_CONCURRENCY: 'comma list of outstanding broadcast() calls (default 1,16)',
  BENCH_PAYLOAD_BYTES: 'JSON size of each event data (default 150)',
  BENCH_HOP: "'immediate' (default): a worker yields one macrotask between calls; 'none': next call in the continuation",
  BENCH_PROBE_SECONDS: "seconds of the pure closed-loop (hop 'none') stall probe per concurrency, 0 to skip (default 1)",
  BENCH_STALL_MS: 'no completion for this long with calls outstanding counts as a stall (default 1000)',
  BENCH_GRACE_MS: 'how long the receiver waits for stragglers after a run (default 2000)',
  BENCH_PIN: 'pin publisher to CPU 0 and receiver to CPU 1 with taskset (default on when possible)',
  BENCH_CHECKPOINT: 'CHECKPOINT before every run (default on)',
  BENCH_INPROC: 'module only: also receive through firehose.stream() in-process (default on)',
  BENCH_STREAM: "stream name (default 'bench')",
  BENCH_MODULE_OPTIONS: 'JSON passed to FirehoseModule.forRoot() for experiments, e.g. {"cleanupInterval":3600000} (default {})',
  BENCH_NOISE_CORES: 'a run is noisy when other processes used more than this many cores during it (default 0.4)',
  BENCH_NOISE_RETRIES:
    'budget of re-runs (whole scenario) for module/naive couples disturbed by other processes; the last try is kept, flagged (default 4)',
  BENCH_QUIET_BUDGET: 'seconds (whole scenario) the runner may wait, before a couple, for other processes to go quiet (default 30)',
  BENCH_DIAG_SECONDS: 'seconds per single-connection round-trip probe after the runs, 0 to skip (default 1)',
};

const NAIVE_CHANNEL = 'naive';
const MODULE_CHANNEL = 'firehose';
const NAIVE_SQL = `WITH i AS (INSERT INTO naive_messages(stream, data) VALUES ($1, $2) RETURNING id, stream, data)
SELECT pg_notify('${NAIVE_CHANNEL}', json_build_object('id', id, 'stream', stream, 'data', data)::text) FROM i`;

/** Event data of about `bytes` of JSON: run, worker, per-worker index, send time, padding. */
function dataFactory(bytes) {
  const probe = JSON.stringify({ r: 12, w: 15, i: 12345, t: now(), pad: '' });
  const pad = 'x'.repeat(Math.max(0, bytes - probe.length));
  return (r, w, i, t) => ({ r, w, i, t, pad });
}

// ---------------------------------------------------------------------------------------------
// Variants

class ModuleVariant {
  name = 'module';
  channel = MODULE_CHANNEL;

  constructor({ url, stream, inproc, makeData, admin, options }) {
    Object.assign(this, { url, stream, inproc, makeData, admin, options });
    this.run = undefined;
    this.batches = new Samples();
    this.batchRtt = new Samples();
    this.inflight = 0;
    this.maxInflight = 0;
    this.inprocLat = new Samples();
    this.inprocCount = 0;
    this.inprocResets = 0;
    this.kicks = 0;
  }

  async setup() {
    const [{ Module }, { NestFactory }, { TypeOrmModule }, lib, storeModule] = await Promise.all([
      import('@nestjs/common'),
      import('@nestjs/core'),
      import('@nestjs/typeorm'),
      import('../../dist/lib/index.js'),
      import('../../dist/lib/store/firehose.store.js'),
    ]);
    const { FIREHOSE_ENTITIES, FIREHOSE_MIGRATIONS, FirehoseModule, FirehoseService } = lib;
    class BenchModule {}
    // Module() is a class decorator: it annotates the class and returns nothing.
    Module({
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: this.url,
          entities: FIREHOSE_ENTITIES,
          migrations: FIREHOSE_MIGRATIONS,
          migrationsRun: true,
        }),
        FirehoseModule.forRoot(this.options ?? {}),
      ],
    })(BenchModule);
    this.app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
    await this.app.init();
    this.firehose = this.app.get(FirehoseService);

    // Instrumentation, outside lib/: time every group-commit batch the batcher writes.
    const store = this.app.get(storeModule.FirehoseStore);
    const append = store.append.bind(store);
    this.store = store;
    this.rawAppend = append;
    store.append = async (streams, payloads, runner) => {
      const t0 = now();
      this.inflight++;
      this.maxInflight = Math.max(this.maxInflight, this.inflight);
      try {
        return await append(streams, payloads, runner);
      } finally {
        this.inflight--;
        if (this.run !== undefined) {
          this.batches.push(streams.length);
          this.batchRtt.push(now() - t0);
        }
      }
    };

    if (this.inproc) {
      this.subscription = this.firehose.stream(this.stream).subscribe({
        next: (item) => {
          const at = now();
          if (item.type === 'reset') {
            this.inprocResets++;
            return;
          }
          const d = item.data;
          if (d && d.r === this.run) {
            this.inprocCount++;
            this.inprocLat.push(at - d.t);
          }
        },
        error: (e) => progress(`module: in-process stream errored: ${e.message}`),
      });
    }
  }

  send(run, w, i, t) {
    return this.firehose.broadcast(this.stream, this.makeData(run, w, i, t));
  }

  /** An unrelated broadcast; it wakes a batcher that holds queued broadcasts but no flush. */
  kick = () => {
    this.kicks++;
    return this.firehose.broadcast(this.stream, this.makeData(-1, 0, this.kicks, now()));
  };

  async persisted() {
    const { rows } = await this.admin.query('SELECT COALESCE(max(sequence), 0)::bigint AS n FROM firehose_channels WHERE name = $1', [
      this.stream,
    ]);
    return Number(rows[0].n);
  }

  beginRun(run) {
    this.run = run;
    this.batches = new Samples();
    this.batchRtt = new Samples();
    this.maxInflight = this.inflight;
    this.inprocLat = new Samples();
    this.inprocCount = 0;
    this.kicksAtStart = this.kicks;
  }

  async endRun(expected, graceMs) {
    // Give the in-process subscriber the same grace as the receiver.
    const t0 = now();
    let last = this.inprocCount;
    let lastAt = t0;
    while (this.inproc && this.inprocCount < expected && now() - lastAt < graceMs) {
      await sleep(5);
      if (this.inprocCount !== last) [last, lastAt] = [this.inprocCount, now()];
    }
    this.run = undefined;
    const batches = this.batches.summary();
    let ones = 0;
    for (let k = 0; k < this.batches.length; k++) if (this.batches.buf[k] === 1) ones++;
    const rtt = this.batchRtt.summary();
    const out = {
      batches: batches.count,
      batch_mean: batches.mean,
      batch_p50: batches.p50,
      batch_max: batches.max,
      batch_ones_share: batches.count ? ones / batches.count : NaN,
      batch_rtt_p50: rtt.p50,
      batch_rtt_p99: rtt.p99,
      batch_rtt_mean: rtt.mean,
      max_inflight_batches: this.maxInflight,
      kicks: this.kicks - this.kicksAtStart,
    };
    if (this.inproc) {
      const l = this.inprocLat.summary();
      Object.assign(out, { inproc_received: this.inprocCount, inproc_p50: l.p50, inproc_p99: l.p99, inproc_resets: this.inprocResets });
    }
    // The cleaner's pass for this run happens now, not inside the next (maybe naive) run.
    await this.firehose.cleanup();
    return out;
  }

  async close() {
    this.subscription?.unsubscribe();
    await this.app?.close();
  }
}

class NaiveVariant {
  name = 'naive';
  channel = NAIVE_CHANNEL;
  kick = undefined;

  constructor({ url, stream, makeData, admin, poolSize }) {
    Object.assign(this, { url, stream, makeData, admin, poolSize });
  }

  async setup() {
    await this.admin.query(`CREATE TABLE IF NOT EXISTS naive_messages (
      id bigserial PRIMARY KEY,
      stream text NOT NULL,
      data json NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    this.pool = new pg.Pool({ connectionString: this.url, max: this.poolSize, application_name: 'bench-naive' });
    // Open every connection up front, so no run pays for connecting.
    const clients = await Promise.all(Array.from({ length: this.poolSize }, () => this.pool.connect()));
    for (const c of clients) c.release();
  }

  send(run, w, i, t) {
    return this.pool.query(NAIVE_SQL, [this.stream, JSON.stringify(this.makeData(run, w, i, t))]);
  }

  async persisted() {
    const { rows } = await this.admin.query('SELECT count(*)::bigint AS n FROM naive_messages');
    return Number(rows[0].n);
  }

  beginRun() {}

  async endRun() {
    return {};
  }

  async close() {
    await this.pool?.end();
  }
}

// ---------------------------------------------------------------------------------------------

export async function run({ serverUrl }) {
  const cfg = {
    seconds: envNumber('BENCH_SECONDS', 5),
    pairs: envNumber('BENCH_PAIRS', 3),
    warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 3),
    concurrency: envList('BENCH_CONCURRENCY', [1, 16]),
    payloadBytes: envNumber('BENCH_PAYLOAD_BYTES', 150),
    hop: envString('BENCH_HOP', 'immediate'),
    probeSeconds: envNumber('BENCH_PROBE_SECONDS', 1),
    stallMs: envNumber('BENCH_STALL_MS', 1000),
    graceMs: envNumber('BENCH_GRACE_MS', 2000),
    pin: envBool('BENCH_PIN', hasTaskset() && cpuCount() >= 2),
    checkpoint: envBool('BENCH_CHECKPOINT', true),
    inproc: envBool('BENCH_INPROC', true),
    stream: envString('BENCH_STREAM', 'bench'),
    moduleOptions: JSON.parse(envString('BENCH_MODULE_OPTIONS', '{}')),
    diagSeconds: envNumber('BENCH_DIAG_SECONDS', 1),
    noiseCores: envNumber('BENCH_NOISE_CORES', 0.4),
    noiseRetries: envNumber('BENCH_NOISE_RETRIES', 4),
    quietBudget: envNumber('BENCH_QUIET_BUDGET', 30),
  };
  if (!['immediate', 'none'].includes(cfg.hop)) throw new Error(`BENCH_HOP must be 'immediate' or 'none', got ${cfg.hop}`);
  const makeData = dataFactory(cfg.payloadBytes);
  const sampleBytes = Buffer.byteLength(JSON.stringify(makeData(1, 1, 1, now())));

  const cpus = cpuCount();
  const pinned = cfg.pin && pinSelf('0');
  const db = await createFreshDatabase(serverUrl);
  progress(`fresh database ${db.displayUrl}`);
  let receiver;
  const variants = [];
  try {
    const info = await serverInfo(db.admin);
    const env = {
      node: process.version,
      cpus,
      cpu_model: os.cpus()[0]?.model,
      pg: info.server_version,
      synchronous_commit: info.synchronous_commit,
      fsync: info.fsync,
      wal_sync_method: info.wal_sync_method,
      full_page_writes: info.full_page_writes,
      commit_delay: info.commit_delay,
      shared_buffers: info.shared_buffers,
      pg_local: info.local,
      pinned: pinned ? 'publisher cpu0, receiver cpu1' : 'no',
      hop: cfg.hop,
      payload_bytes: sampleBytes,
    };
    console.log(`\n## broadcast — ${description}\n`);
    console.log(
      `node ${env.node} · ${env.cpus} CPUs (${env.cpu_model}) · PostgreSQL ${env.pg} · synchronous_commit=${env.synchronous_commit} · ` +
        `fsync=${env.fsync} · wal_sync_method=${env.wal_sync_method} · full_page_writes=${env.full_page_writes} · commit_delay=${env.commit_delay}`,
    );
    console.log(
      `runs: ${cfg.pairs} pairs × ${cfg.seconds}s per concurrency {${cfg.concurrency.join(', ')}}, warm-up ${cfg.warmupSeconds}s per variant, ` +
        `payload ${sampleBytes} B JSON, hop=${cfg.hop}, pinning: ${env.pinned}, CHECKPOINT before runs: ${cfg.checkpoint ? 'yes' : 'no'}, ` +
        `PG CPU measured: ${info.local ? 'yes' : 'no (server not on this host)'}, FirehoseModule.forRoot(${JSON.stringify(cfg.moduleOptions)})\n`,
    );

    receiver = await ReceiverHandle.start({ url: db.url, channels: [MODULE_CHANNEL, NAIVE_CHANNEL], pinCpus: pinned ? '1' : undefined });
    const clock = await receiver.calibrateClock();
    progress(
      `receiver pid ${receiver.pid} listening on ${MODULE_CHANNEL}, ${NAIVE_CHANNEL}; clock offset ${clock.offset.toFixed(4)} ms (IPC rtt ${clock.rtt.toFixed(3)} ms)`,
    );

    const moduleV = new ModuleVariant({
      url: db.url,
      stream: cfg.stream,
      inproc: cfg.inproc,
      makeData,
      admin: db.admin,
      options: cfg.moduleOptions,
    });
    const naiveV = new NaiveVariant({ url: db.url, stream: cfg.stream, makeData, admin: db.admin, poolSize: 16 });
    variants.push(moduleV, naiveV);
    await moduleV.setup();
    progress('module: Nest application context up (migrations applied)');
    await naiveV.setup();
    progress('naive: table created, pool of 16 connected');

    const meter = new PgCpuMeter(db.admin, db.name, info.local);
    let runId = 0;

    const measure = async (variant, concurrency, seconds, { phase, pair, hop = cfg.hop, stallMs = cfg.stallMs }) => {
      if (cfg.checkpoint) await db.admin.query('CHECKPOINT');
      const run = ++runId;
      const persisted0 = await variant.persisted();
      await receiver.begin(run);
      variant.beginRun(run);
      const pg0 = await meter.start();
      const all0 = info.local ? snapshotAll() : undefined;
      const m0 = machineCpu();
      const c0 = process.cpuUsage();
      const res = await closedLoop({
        concurrency,
        seconds,
        hop,
        stallMs,
        kick: variant.kick,
        call: (w, i, t) => variant.send(run, w, i, t),
      });
      const cpu = process.cpuUsage(c0);
      const m1 = machineCpu();
      const pgCpu = await meter.stop(pg0);
      const all1 = all0 ? snapshotAll() : undefined;
      const rec = await receiver.end(run, res.ok, cfg.graceMs);
      const extra = await variant.endRun(res.ok, cfg.graceMs);
      const persisted = (await variant.persisted()) - persisted0;
      const ack = res.ack.summary();
      const pubUs = cpu.user + cpu.system;
      const machineBusyUs = m1 && m0 ? m1.busyUs - m0.busyUs : undefined;
      const foreignUs = machineBusyUs !== undefined && pgCpu ? machineBusyUs - pubUs - rec.cpuUs - pgCpu.us : undefined;
      const sec = res.durationMs / 1000;
      const foreignCores = foreignUs !== undefined ? foreignUs / res.durationMs / 1000 : undefined;
      const noisy = foreignCores !== undefined && foreignCores > cfg.noiseCores;
      const others =
        noisy && all1 && pgCpu ? topOthers(all0, all1, new Set([process.pid, receiver.pid, ...pgCpu.pids]), res.durationMs) : undefined;
      const record = {
        scenario: 'broadcast',
        phase,
        variant: variant.name,
        run,
        pair,
        concurrency,
        hop,
        seconds: round(sec),
        ok: res.ok,
        errors: res.errors,
        first_error: res.firstError,
        rate: round(res.ok / sec, 1),
        persisted,
        expected: res.ok,
        received: rec.distinct,
        missing: Math.max(0, res.ok - rec.distinct),
        dup: rec.dup,
        reordered: rec.reordered,
        p50: round(rec.latency.p50),
        p90: round(rec.latency.p90),
        p99: round(rec.latency.p99),
        max: round(rec.latency.max),
        ack_p50: round(ack.p50),
        ack_p99: round(ack.p99),
        stalls: res.stalls,
        gave_up: res.gaveUp || undefined,
        stuck_calls: res.stuck || undefined,
        pub_cpu_us_per_op: round(pubUs / res.ok, 1),
        recv_cpu_us_per_op: round(rec.cpuUs / res.ok, 1),
        pg_cpu_us_per_op: pgCpu ? round(pgCpu.us / res.ok, 1) : undefined,
        pg_cpu_cores: pgCpu ? round(pgCpu.us / res.durationMs / 1000, 2) : undefined,
        pub_cpu_cores: round(pubUs / res.durationMs / 1000, 2),
        foreign_cpu_cores: foreignCores !== undefined ? round(foreignCores, 2) : undefined,
        noisy,
        top_other_processes: others,
        ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v])),
        node: env.node,
        pg: env.pg,
        synchronous_commit: env.synchronous_commit,
      };
      const loss = record.missing > 0 ? ` LOST ${record.missing}` : '';
      const batch = extra.batches
        ? ` batches ${extra.batches} (mean ${fmt(extra.batch_mean)}, rtt p50 ${fmt(extra.batch_rtt_p50)} ms)`
        : '';
      const stall = res.stalls ? ` STALLS ${res.stalls}${res.gaveUp ? ' (gave up)' : ''}` : '';
      const noise = noisy
        ? ` NOISY (others ${fmt(foreignCores, 2)} cores${others?.[0] ? `, e.g. ${others[0].cmd.slice(0, 50)}` : ''})`
        : '';
      progress(
        `${phase}${pair !== undefined ? ` pair ${pair}` : ''} ${variant.name.padEnd(6)} c=${String(concurrency).padStart(2)} hop=${hop}: ` +
          `${fmt(record.rate)}/s, p50 ${fmt(record.p50)} ms, p99 ${fmt(record.p99)} ms, ` +
          `received ${rec.distinct}/${res.ok}${loss}${stall}${batch}${noise}`,
      );
      if (record.persisted !== res.ok) {
        progress(
          `  note: persisted ${record.persisted} vs ${res.ok} resolved calls (${extra.kicks ?? 0} watchdog kick broadcasts, ${res.errors} errors)`,
        );
      }
      return record;
    };

    const records = [];

    // 1. Stall probe: a pure closed loop (next call in the previous call's continuation).
    if (cfg.probeSeconds > 0) {
      for (const c of cfg.concurrency) {
        for (const v of variants) {
          const r = await measure(v, c, cfg.probeSeconds, { phase: 'probe', hop: 'none', stallMs: 200 });
          console.log(JSON.stringify(r));
          records.push(r);
        }
      }
    }

    // 2. Warm-up (JIT, pools, table/index pages), at the highest concurrency.
    const cMax = Math.max(...cfg.concurrency);
    if (cfg.warmupSeconds > 0) {
      for (const v of variants) await measure(v, cMax, cfg.warmupSeconds, { phase: 'warmup' });
    }

    // 3. Measured runs, interleaved A B A B ... per concurrency.
    //    A couple disturbed by other processes on the host is run again, within a retry budget.
    let retriesLeft = cfg.noiseRetries;
    let quietLeftMs = cfg.quietBudget * 1000;
    // Between runs our own processes are idle, so machine-wide busy time is the others' load.
    const waitQuiet = async () => {
      while (quietLeftMs > 0) {
        const m0 = machineCpu();
        if (!m0) return;
        await sleep(500);
        const m1 = machineCpu();
        quietLeftMs -= 500;
        const cores = (m1.busyUs - m0.busyUs) / 500 / 1000;
        if (cores <= cfg.noiseCores) return;
        if (quietLeftMs <= 0) progress(`  host still busy (${fmt(cores, 2)} cores); quiet-wait budget used up`);
      }
    };
    for (let pair = 1; pair <= cfg.pairs; pair++) {
      for (const c of cfg.concurrency) {
        for (;;) {
          await waitQuiet();
          const couple = [];
          for (const v of variants) couple.push(await measure(v, c, cfg.seconds, { phase: 'measure', pair }));
          const noisy = couple.some((r) => r.noisy);
          if (noisy && retriesLeft > 0) {
            retriesLeft--;
            for (const r of couple) console.log(JSON.stringify({ ...r, phase: 'discarded' }));
            progress(`  pair ${pair} c=${c} disturbed by other processes: running the couple again (${retriesLeft} re-runs left)`);
            continue;
          }
          for (const r of couple) {
            console.log(JSON.stringify(r));
            records.push(r);
          }
          break;
        }
      }
    }

    const diag = cfg.diagSeconds > 0 ? await diagnose({ db, moduleV, seconds: cfg.diagSeconds, makeData, meter }) : [];
    report(records, cfg, env, diag);
  } finally {
    for (const v of variants) await v.close().catch((e) => progress(`closing ${v.name}: ${e.message}`));
    await receiver?.close();
    await db.drop();
    progress(`dropped ${db.name}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Diagnosis: sequential round trips on one idle connection, to split the module's batch cost.

async function diagnose({ db, moduleV, seconds, makeData, meter }) {
  const client = new pg.Client({ connectionString: db.url, application_name: 'bench-diag' });
  await client.connect();
  const stream = 'bench_diag';
  const appendSql = `SELECT id, stream, sequence, channel_id FROM firehose_append($1::text[], $2::text[], '${MODULE_CHANNEL}', 7999)`;
  const rows = (n, k) => {
    const payloads = [];
    for (let j = 0; j < n; j++) payloads.push(JSON.stringify(makeData(-2, 0, k * n + j, now())));
    return [Array(n).fill(stream), payloads];
  };
  const probes = [
    ['SELECT 1 (plain pg)', () => client.query('SELECT 1')],
    ['naive INSERT+pg_notify, 1 row (plain pg)', (k) => client.query(NAIVE_SQL, [stream, JSON.stringify(makeData(-2, 0, k, now()))])],
    ['firehose_append, 1 row (plain pg)', (k) => client.query(appendSql, rows(1, k))],
    ['firehose_append, 16 rows (plain pg)', (k) => client.query(appendSql, rows(16, k))],
    ['firehose_append, 100 rows (plain pg)', (k) => client.query(appendSql, rows(100, k))],
    ['store.append, 1 row (module, DataSource pool)', (k) => moduleV.rawAppend(...rows(1, k))],
    ['store.append, 16 rows (module, DataSource pool)', (k) => moduleV.rawAppend(...rows(16, k))],
    [
      'cleanup pass after each 16-row append (FirehoseService.cleanup)',
      async (k) => {
        await moduleV.firehose.broadcast(stream, makeData(-2, 0, k, now()));
        await moduleV.firehose.cleanup();
      },
    ],
  ];
  const out = [];
  try {
    for (const [name, fn] of probes) {
      const lat = new Samples();
      const pg0 = await meter.start();
      const m0 = machineCpu();
      const c0 = process.cpuUsage();
      const t0 = now();
      const end = t0 + seconds * 1000;
      for (let k = 0; now() < end; k++) {
        const t0 = now();
        await fn(k);
        lat.push(now() - t0);
      }
      const cpu = process.cpuUsage(c0);
      const m1 = machineCpu();
      const pgCpu = await meter.stop(pg0);
      const ms = now() - t0;
      const s = lat.summary();
      // Receiver CPU is not metered here; it only parses the few notifications these probes send.
      const other = m0 && m1 && pgCpu ? (m1.busyUs - m0.busyUs - (cpu.user + cpu.system) - pgCpu.us) / ms / 1000 : undefined;
      out.push({
        probe: name,
        count: s.count,
        p50: s.p50,
        mean: s.mean,
        p99: s.p99,
        client_cpu_us: (cpu.user + cpu.system) / s.count,
        other_cores: other,
      });
      progress(
        `diag ${name}: p50 ${fmt(s.p50)} ms, mean ${fmt(s.mean)} ms (${s.count} calls)${other > 0.4 ? ` NOISY (others ${fmt(other, 2)} cores)` : ''}`,
      );
    }
  } finally {
    await client.end();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report

function report(records, cfg, env, diag = []) {
  const probes = records.filter((r) => r.phase === 'probe');
  if (probes.length) {
    console.log(`\n### Stall probe: pure closed loop (hop=none, ${cfg.probeSeconds}s, stall = no completion for 200 ms)\n`);
    console.log(
      table(
        ['variant', 'c', 'completed', 'per s', 'stalls', 'received/expected'],
        probes.map((r) => [r.variant, r.concurrency, r.ok, fmt(r.rate), r.stalls, `${r.received}/${r.expected}`]),
      ),
    );
    const stalled = probes.filter((r) => r.stalls > 0);
    if (stalled.length) {
      console.log(
        `\nSTALL: ${[...new Set(stalled.map((r) => r.variant))].join(', ')} stopped making progress when each caller issues its next ` +
          `call right in the previous call's continuation; every stall was released only by an unrelated broadcast (the watchdog's kick).`,
      );
    }
  }

  const measured = records.filter((r) => r.phase === 'measure');
  const groups = new Map();
  for (const r of measured) {
    const key = `${r.concurrency}|${r.variant}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  const agg = (rs, f) => spread(rs.map(f));
  const rows = [];
  const summary = [];
  for (const c of cfg.concurrency) {
    for (const variant of ['module', 'naive']) {
      const rs = groups.get(`${c}|${variant}`) ?? [];
      if (!rs.length) continue;
      const s = {
        concurrency: c,
        variant,
        runs: rs.length,
        rate: agg(rs, (r) => r.rate),
        p50: agg(rs, (r) => r.p50),
        p99: agg(rs, (r) => r.p99),
        max: agg(rs, (r) => r.max),
        ack_p99: agg(rs, (r) => r.ack_p99),
        expected: rs.reduce((a, r) => a + r.expected, 0),
        received: rs.reduce((a, r) => a + r.received, 0),
        missing: rs.reduce((a, r) => a + r.missing, 0),
        dup: rs.reduce((a, r) => a + r.dup, 0),
        reordered: rs.reduce((a, r) => a + r.reordered, 0),
        errors: rs.reduce((a, r) => a + r.errors, 0),
        stalls: rs.reduce((a, r) => a + r.stalls, 0),
        noisy: rs.filter((r) => r.noisy).length,
        batch_mean: agg(rs, (r) => r.batch_mean ?? NaN),
        batch_rtt_p50: agg(rs, (r) => r.batch_rtt_p50 ?? NaN),
        pub_us: agg(rs, (r) => r.pub_cpu_us_per_op),
        pg_us: agg(rs, (r) => r.pg_cpu_us_per_op ?? NaN),
        foreign: agg(rs, (r) => r.foreign_cpu_cores ?? NaN),
        inproc_p99: agg(rs, (r) => r.inproc_p99 ?? NaN),
      };
      summary.push(s);
      rows.push([
        variant,
        c,
        fmtSpread(s.rate),
        fmtSpread(s.p50, 2),
        fmtSpread(s.p99, 2),
        fmt(s.max.max, 1),
        fmtSpread(s.ack_p99, 2),
        `${s.received}/${s.expected}${s.missing ? ` LOST ${s.missing}` : ''}${s.dup ? ` dup ${s.dup}` : ''}${s.reordered ? ` reord ${s.reordered}` : ''}`,
        s.stalls || '0',
        Number.isFinite(s.batch_mean.median) ? `${fmt(s.batch_mean.median, 1)} / ${fmt(s.batch_rtt_p50.median, 2)} ms` : '-',
        `${fmt(s.pub_us.median, 0)} / ${fmt(s.pg_us.median, 0)}`,
        `${fmt(s.foreign.median, 2)}${s.noisy ? ` (${s.noisy} noisy)` : ''}`,
        fmt(s.inproc_p99.median, 2),
      ]);
    }
  }
  console.log(`\n### Results: median [min–max] over ${cfg.pairs} interleaved runs of ${cfg.seconds}s\n`);
  console.log(
    table(
      [
        'variant',
        'c',
        'broadcasts/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'call p99 ms',
        'received/expected',
        'stalls',
        'batch mean / rtt p50',
        'CPU µs/op pub / pg',
        'other CPU cores',
        'in-proc p99 ms',
      ],
      rows,
    ),
  );
  console.log(
    '\nLatency = send time (before broadcast()) → arrival at a separate LISTEN process. call = broadcast() resolve time. ' +
      'CPU µs/op: publisher process (Nest app + pg pool) / PostgreSQL backends of this DB + background processes. ' +
      "'other CPU cores' = machine CPU not used by publisher, receiver or measured PostgreSQL processes (noise from elsewhere). " +
      'in-proc = module delivery through firehose.stream() in the publisher process.',
  );

  const ratioRows = [];
  const verdicts = [];
  const pairRatios = (c, f) => {
    const out = [];
    for (let p = 1; p <= cfg.pairs; p++) {
      const m = measured.find((r) => r.pair === p && r.concurrency === c && r.variant === 'module');
      const n = measured.find((r) => r.pair === p && r.concurrency === c && r.variant === 'naive');
      if (m && n) out.push(f(m) / f(n));
    }
    return spread(out);
  };
  for (const c of cfg.concurrency) {
    const m = summary.find((s) => s.concurrency === c && s.variant === 'module');
    const n = summary.find((s) => s.concurrency === c && s.variant === 'naive');
    if (!m || !n) continue;
    const rateRatio = m.rate.median / n.rate.median;
    const p99Ratio = m.p99.median / n.p99.median;
    ratioRows.push([
      c,
      `${fmt(rateRatio, 2)}×`,
      fmtSpread(
        pairRatios(c, (r) => r.rate),
        2,
      ),
      `${fmt(p99Ratio, 2)}×`,
      fmtSpread(
        pairRatios(c, (r) => r.p99),
        2,
      ),
      `${fmt(m.p50.median / n.p50.median, 2)}×`,
    ]);
    verdicts.push({
      concurrency: c,
      rate_ratio: round(rateRatio),
      p99_ratio: round(p99Ratio),
      module_lost: m.missing,
      naive_lost: n.missing,
    });
  }
  console.log('\n### Ratio module / naive\n');
  console.log(
    table(['c', 'throughput (of medians)', 'throughput per pair', 'p99 (of medians)', 'p99 per pair', 'p50 (of medians)'], ratioRows),
  );

  const noisyKept = measured.filter((r) => r.noisy).length;
  if (noisyKept) {
    console.log(
      `\nWARNING: ${noisyKept} of ${measured.length} kept runs were disturbed by other processes on this host ` +
        `(> ${cfg.noiseCores} cores; see 'other CPU cores' and top_other_processes in the JSON lines). Prefer the per-pair ratios.`,
    );
  }
  // Targets: throughput per concurrency against the naive baseline, no loss anywhere.
  const targets = { 1: 0.95, 16: 6, 64: 10 };
  const lost = summary.filter((s) => s.missing > 0);
  for (const v of verdicts) {
    const target = targets[v.concurrency];
    if (target === undefined) continue;
    const okRate = v.rate_ratio >= target;
    console.log(`\nTarget at c=${v.concurrency}: throughput ≥ ${target}× naive: ${okRate ? 'MET' : 'NOT MET'} (${fmt(v.rate_ratio, 2)}×)`);
  }
  console.log(
    `No lost messages: ${lost.length === 0 ? 'yes' : 'NO — ' + lost.map((s) => `${s.variant} c=${s.concurrency} lost ${s.missing}`).join(', ')}`,
  );
  if (diag.length) {
    console.log(`\n### Round trips on one idle connection (sequential, ${cfg.diagSeconds}s each)\n`);
    console.log(
      table(
        ['probe', 'calls', 'p50 ms', 'mean ms', 'p99 ms', 'client CPU µs/call', 'other CPU cores'],
        diag.map((d) => [d.probe, d.count, fmt(d.p50, 3), fmt(d.mean, 3), fmt(d.p99, 3), fmt(d.client_cpu_us, 0), fmt(d.other_cores, 2)]),
      ),
    );
    for (const d of diag)
      console.log(
        JSON.stringify({
          scenario: 'broadcast',
          phase: 'diag',
          ...d,
          p50: round(d.p50),
          mean: round(d.mean),
          p99: round(d.p99),
          client_cpu_us: round(d.client_cpu_us, 1),
          other_cores: round(d.other_cores, 2),
        }),
      );
  }
  console.log(
    JSON.stringify({
      scenario: 'broadcast',
      phase: 'summary',
      env,
      config: cfg,
      results: summary.map((s) => ({
        variant: s.variant,
        concurrency: s.concurrency,
        runs: s.runs,
        rate_median: round(s.rate.median, 1),
        rate_min: round(s.rate.min, 1),
        rate_max: round(s.rate.max, 1),
        p50_median: round(s.p50.median),
        p99_median: round(s.p99.median),
        p99_min: round(s.p99.min),
        p99_max: round(s.p99.max),
        expected: s.expected,
        received: s.received,
        missing: s.missing,
        stalls: s.stalls,
        noisy_runs: s.noisy,
      })),
      ratios: verdicts,
    }),
  );
}
