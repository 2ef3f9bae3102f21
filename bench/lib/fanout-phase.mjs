// What the fan-out scenarios (fanout, topics) share: the client processes of one point, and one
// measured phase (clients count, the server publishes, clients wait for every expected delivery).
import { execFileSync } from 'node:child_process';
import { machineCpu, processCpuUs } from './cpu.mjs';
import { progress } from './env.mjs';
import { clockOffset, FanoutClientsHandle } from './fanout-clients.mjs';
import { summarize } from './stats.mjs';

/**
 * The file-descriptor limit for children holding up to `maxN` sockets: every client process holds
 * its share, the server all of them (`ulimit -n` is per process and inherited only downwards), and
 * a shell can raise its soft limit up to the hard one only, so min(N + slack, hard).
 */
export function fdLimitFor(maxN) {
  const hardLimit = Number(execFileSync('/bin/sh', ['-c', 'ulimit -Hn']).toString().trim()) || Infinity;
  const fdLimit = Math.min(Math.max(65536, maxN + 4096), hardLimit);
  if (maxN + 1024 > fdLimit) {
    progress(`WARNING: N=${maxN} needs more file descriptors than the hard limit ${hardLimit} allows the server; connections may fail`);
  }
  return { fdLimit, hardLimit };
}

/**
 * `procs` client processes sharing `n` subscribers, each with its `share` and its clock `offset`
 * to the server: latency = arrival (client clock) − send time (server clock) − offset.
 */
export async function startClientProcs({ n, procs, fdLimit, pinned, serverClock }) {
  const shares = Array.from({ length: procs }, (_, p) => Math.floor(n / procs) + (p < n % procs ? 1 : 0)).filter((s) => s > 0);
  const handles = [];
  for (const share of shares) {
    const h = await FanoutClientsHandle.start({ pinCpus: pinned ? '1' : undefined, fdLimit });
    h.share = share;
    h.offset = (await clockOffset(h)).offset - serverClock.offset;
    handles.push(h);
  }
  return handles;
}

/**
 * One phase: the clients begin counting, `publish` makes the server send `count` events to the
 * `n` subscribers, the clients wait for all of them. Returns deliveries, latency, and the CPU of
 * the server, the clients and PostgreSQL over the phase.
 */
export async function measurePhase({ server, procs, serverClock, meter, n, count, samples, graceMs, publish }) {
  const sampleEvery = Math.max(1, Math.floor((count * n) / samples));
  await Promise.all(procs.map((h) => h.request({ type: 'begin', sampleEvery, offset: h.offset })));
  const s0 = processCpuUs(server.pid);
  const k0 = procs.map((h) => processCpuUs(h.pid));
  const pg0 = await meter.start();
  const m0 = machineCpu();
  const t0 = performance.timeOrigin + performance.now();
  const pub = await publish();
  const results = await Promise.all(procs.map((h) => h.request({ type: 'end', perClient: count, graceMs })));
  const wallMs = performance.timeOrigin + performance.now() - t0;
  const m1 = machineCpu();
  const pgCpu = await meter.stop(pg0);
  const serverUs = processCpuUs(server.pid) - s0;
  const clientUs = procs.map((h, i) => processCpuUs(h.pid) - k0[i]);
  const received = results.reduce((a, r) => a + r.total, 0);
  const expected = count * n;
  // Parent-clock times: server send start, last arrival at any client.
  const firstSend = pub.started - serverClock.offset;
  const lastArrival = Math.max(...results.map((r, i) => (r.lastAt ? r.lastAt - procs[i].offset - serverClock.offset : -Infinity)));
  const spanMs = lastArrival - firstSend;
  const lat = summarize(Float64Array.from(results.flatMap((r) => r.samples)).sort());
  return {
    expected,
    received,
    missing: Math.max(0, expected - received),
    extra: Math.max(0, received - expected),
    min_per_client: Math.min(...results.map((r) => r.minPerClient)),
    max_per_client: Math.max(...results.map((r) => r.maxPerClient)),
    closed: results.reduce((a, r) => a + r.closed, 0),
    publish_errors: pub.errors,
    publish_ms: pub.ended - pub.started,
    span_ms: spanMs,
    deliveries_per_s: (received / spanMs) * 1000,
    p50: lat.p50,
    p99: lat.p99,
    max: lat.max,
    samples: lat.count,
    bytes_per_delivery: results.reduce((a, r) => a + (r.bytes ?? 0), 0) / Math.max(1, received),
    server_cpu_us_per_delivery: serverUs / Math.max(1, received),
    server_cores: serverUs / 1000 / wallMs,
    client_cores: clientUs.map((us) => us / 1000 / wallMs),
    pg_cores: pgCpu ? pgCpu.us / 1000 / wallMs : undefined,
    machine_busy: m0 && m1 ? (m1.busyUs - m0.busyUs) / (m1.totalUs - m0.totalUs) : undefined,
  };
}
