// Scenario "durable-streams": the Durable Streams HTTP protocol served by DurableStreamsModule from
// PostgreSQL, beside the reference server (@durable-streams/server, file-backed store) in the
// same run. Each server runs in a child process of its own; this process is the HTTP client
// (keep-alive sockets, one per outstanding request). Runs are interleaved module/reference,
// alternating which goes first, after a warm-up each.
//
//   appends/s:       closed loop of POSTs of one small JSON message to one JSON stream, at each
//                    concurrency (outstanding requests); every accepted append is durable on both
//                    sides (PostgreSQL commit / fdatasync) before its 204.
//   catch-up MB/s:   a stream pre-filled with BENCH_READ_MB of binary appends, read from offset -1
//                    to the tail following Stream-Next-Offset, repeatedly for BENCH_SECONDS.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedLoop } from '../lib/closed-loop.mjs';
import { createFreshDatabase, serverInfo } from '../lib/db.mjs';
import { DurableStreamsServerHandle } from '../lib/ds-server.mjs';
import { envList, envNumber, now, progress } from '../lib/env.mjs';
import { spread } from '../lib/stats.mjs';
import { fmt, fmtSpread, table } from '../lib/table.mjs';

export const description =
  'Durable Streams over HTTP: appends/s and catch-up MB/s, DurableStreamsModule (PostgreSQL) vs @durable-streams/server (files)';

export const knobs = {
  BENCH_SECONDS: 'seconds per measured run (default 5)',
  BENCH_PAIRS: 'interleaved module/reference pairs per measurement (default 3)',
  BENCH_WARMUP_SECONDS: 'warm-up per variant before each measurement (default 1)',
  BENCH_CONCURRENCY: 'comma list of outstanding appends (default 1,32)',
  BENCH_MESSAGE_BYTES: 'size of each appended JSON message (default 100)',
  BENCH_READ_MB: 'size of the stream read by the catch-up runs (default 32)',
  BENCH_READ_APPEND_BYTES: 'size of each append that fills it (default 4096)',
  BENCH_DS_OPTIONS:
    'JSON merged into the DurableStreamsModule.forRoot options, e.g. {"readCacheBytes":0} to read every chunk from PostgreSQL (default {})',
};

const VARIANTS = ['module', 'reference'];

/** One HTTP request on a keep-alive agent; resolves with status, headers and the body's bytes. */
function request(agent, method, url, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function create(agent, url, contentType) {
  const res = await request(agent, 'PUT', url, { 'content-type': contentType });
  if (res.status !== 201 && res.status !== 200) throw new Error(`PUT ${url}: ${res.status}`);
}

async function appendRun(agent, url, { concurrency, seconds, message }) {
  const headers = { 'content-type': 'application/json', 'content-length': String(message.length) };
  const result = await closedLoop({
    concurrency,
    seconds,
    hop: 'none',
    call: async () => {
      const res = await request(agent, 'POST', url, headers, message);
      if (res.status !== 204 && res.status !== 200) throw new Error(`POST: ${res.status} ${res.body}`);
    },
  });
  if (result.errors) throw new Error(`${result.errors} appends failed, first: ${result.firstError?.message}`);
  return result.ok / seconds;
}

async function fill(agent, url, { megabytes, appendBytes }) {
  await create(agent, url, 'application/octet-stream');
  const chunk = Buffer.alloc(appendBytes, 0x61);
  const count = Math.ceil((megabytes * 1024 * 1024) / appendBytes);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        next++;
        const res = await request(agent, 'POST', url, { 'content-type': 'application/octet-stream' }, chunk);
        if (res.status !== 204) throw new Error(`fill POST: ${res.status}`);
      }
    }),
  );
  return count * appendBytes;
}

async function readRun(agent, url, { seconds, expected }) {
  const deadline = now() + seconds * 1000;
  let bytes = 0;
  let requests = 0;
  const started = now();
  while (now() < deadline) {
    let offset = '-1';
    let got = 0;
    for (;;) {
      const res = await request(agent, 'GET', `${url}?offset=${encodeURIComponent(offset)}`);
      requests++;
      if (res.status !== 200) throw new Error(`GET: ${res.status}`);
      got += res.body.length;
      offset = res.headers['stream-next-offset'];
      if (res.headers['stream-up-to-date'] === 'true') break;
    }
    if (got !== expected) throw new Error(`catch-up read ${got} bytes, expected ${expected}`);
    bytes += got;
  }
  const elapsed = (now() - started) / 1000;
  return { mbps: bytes / 1024 / 1024 / elapsed, requestsPerRead: requests / (bytes / expected) };
}

export async function run({ serverUrl }) {
  const seconds = envNumber('BENCH_SECONDS', 5);
  const pairs = envNumber('BENCH_PAIRS', 3);
  const warmup = envNumber('BENCH_WARMUP_SECONDS', 1);
  const concurrencies = envList('BENCH_CONCURRENCY', ['1', '32']).map(Number);
  const messageBytes = envNumber('BENCH_MESSAGE_BYTES', 100);
  const readMb = envNumber('BENCH_READ_MB', 32);
  const readAppendBytes = envNumber('BENCH_READ_APPEND_BYTES', 4096);
  const pad = 'x'.repeat(Math.max(0, messageBytes - 30));
  const messageBody = Buffer.from(JSON.stringify({ event: 'bench', pad }));

  const db = await createFreshDatabase(serverUrl);
  const dataDir = mkdtempSync(join(tmpdir(), 'ds-reference-'));
  const servers = {};
  const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(...concurrencies, 16) });
  try {
    const info = await serverInfo(db.admin);
    progress(`PostgreSQL ${info.server_version ?? ''}; reference data dir ${dataDir}`);
    const durableStreams = { longPollTimeout: 5000, ...JSON.parse(process.env.BENCH_DS_OPTIONS || '{}') };
    progress(`DurableStreamsModule.forRoot options ${JSON.stringify(durableStreams)}`);
    servers.module = await DurableStreamsServerHandle.start('module', { databaseUrl: db.url, durableStreams });
    servers.reference = await DurableStreamsServerHandle.start('reference', { dataDir, longPollTimeout: 5000 });
    const url = (variant, name) => `${servers[variant].baseUrl}/v1/stream/${name}`;

    const appendRows = [];
    const appendFigures = {};
    for (const concurrency of concurrencies) {
      const figures = { module: [], reference: [] };
      for (let pair = 0; pair < pairs; pair++) {
        const order = pair % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
        for (const variant of order) {
          const stream = url(variant, `append-c${concurrency}-p${pair}`);
          await create(agent, stream, 'application/json');
          await appendRun(agent, stream, { concurrency, seconds: warmup, message: messageBody });
          const perSecond = await appendRun(agent, stream, { concurrency, seconds, message: messageBody });
          figures[variant].push(perSecond);
          progress(`appends c=${concurrency} pair ${pair + 1}/${pairs} ${variant}: ${fmt(perSecond)}/s`);
        }
      }
      const m = spread(figures.module);
      const r = spread(figures.reference);
      appendFigures[concurrency] = { module: m, reference: r };
      appendRows.push([String(concurrency), fmtSpread(m), fmtSpread(r), fmt(m.median / r.median, 2) + '×']);
    }

    progress(`filling a ${readMb} MB stream on each server`);
    const expected = {};
    for (const variant of VARIANTS)
      expected[variant] = await fill(agent, url(variant, 'catch-up'), { megabytes: readMb, appendBytes: readAppendBytes });
    const readFigures = { module: [], reference: [] };
    const requestsPerRead = {};
    for (let pair = 0; pair < pairs; pair++) {
      const order = pair % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      for (const variant of order) {
        await readRun(agent, url(variant, 'catch-up'), { seconds: warmup, expected: expected[variant] });
        const r = await readRun(agent, url(variant, 'catch-up'), { seconds, expected: expected[variant] });
        readFigures[variant].push(r.mbps);
        requestsPerRead[variant] = r.requestsPerRead;
        progress(`catch-up pair ${pair + 1}/${pairs} ${variant}: ${fmt(r.mbps)} MB/s`);
      }
    }
    const rm = spread(readFigures.module);
    const rr = spread(readFigures.reference);

    console.log(`\n## durable-streams (${seconds} s runs, ${pairs} interleaved pairs, median [min–max])\n`);
    console.log(`Appends/s, one ${messageBody.length}-byte JSON message per POST, one stream:\n`);
    console.log(table(['concurrency', 'module (PostgreSQL)', 'reference (files)', 'module / reference'], appendRows));
    console.log(`\nCatch-up read of a ${readMb} MB stream (${readAppendBytes}-byte appends), from -1 to the tail:\n`);
    console.log(
      table(
        ['', 'MB/s', 'requests per full read'],
        [
          ['module (PostgreSQL)', fmtSpread(rm), fmt(requestsPerRead.module)],
          ['reference (files)', fmtSpread(rr), fmt(requestsPerRead.reference)],
          ['module / reference', fmt(rm.median / rr.median, 2) + '×', ''],
        ],
      ),
    );
    console.log(
      `\nPostgreSQL: synchronous_commit=${info.synchronous_commit}, fsync=${info.fsync}, wal_sync_method=${info.wal_sync_method}`,
    );
    return { appends: appendFigures, catchUp: { module: rm, reference: rr } };
  } finally {
    agent.destroy();
    for (const server of Object.values(servers)) await server.close().catch(() => undefined);
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
