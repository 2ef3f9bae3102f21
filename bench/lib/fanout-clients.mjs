// Child process: a share of the fan-out clients (scenario "fanout"), driven over IPC.
//
// `ws` clients send {"command":"subscribe","streams":["fan"]} and count once {"type":"subscribed"}
// arrives; SSE clients GET the endpoint and count once the response headers are in. With `gzip`,
// SSE clients send `Accept-Encoding: gzip`, insist on a gzip body and inflate it as it arrives
// (the server flushes per write, so every event is decodable at once). To keep the harness
// cheap, nothing is JSON-parsed on the hot path:
// - every event delivery is counted (WS: a frame without `"type"`; SSE: each `data:` line);
// - latency is taken from one delivery in `sampleEvery`, round-robin over all clients of this
//   process, by reading the number after `"t":` (send time, performance.timeOrigin + now()).
// Per phase it reports deliveries, per-client min/max, latency samples summary, the last arrival
// time, the bytes read from the sockets (compressed, with gzip) and its own CPU.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { Samples } from './stats.mjs';
import { ChildRpc } from './child-rpc.mjs';

const now = () => performance.timeOrigin + performance.now();
const T_KEY = Buffer.from('"t":');
const TYPE_KEY = Buffer.from('"type"');
const DATA_LINE = 'data: ';

/** The send time after `"t":` in `buf` (a Buffer or string), or NaN. */
function sendTime(buf) {
  if (typeof buf === 'string') {
    const at = buf.indexOf('"t":');
    return at < 0 ? NaN : parseFloat(buf.slice(at + 4, at + 40));
  }
  const at = buf.indexOf(T_KEY);
  return at < 0 ? NaN : parseFloat(buf.toString('latin1', at + 4, at + 40));
}

async function childMain() {
  const [{ WebSocket }, http] = await Promise.all([import('ws'), import('node:http')]);
  const send = (m) => process.send(m);
  let counts = new Uint32Array(0); // deliveries per client in the current phase
  let lat = new Samples(1 << 14);
  let total = 0;
  let bytes = 0; // read from the sockets in the current phase (SSE only)
  let lastAt = 0;
  let seen = 0;
  let sampleEvery = 1;
  let offset = 0; // this process's clock minus the server's, subtracted from latencies
  let cpu0 = process.cpuUsage();
  const sockets = [];
  let closed = 0;

  const delivered = (k, buf) => {
    counts[k]++;
    total++;
    const at = now();
    lastAt = at;
    if (++seen >= sampleEvery) {
      seen = 0;
      const t = sendTime(buf);
      if (Number.isFinite(t)) lat.push(at - t - offset);
    }
  };

  const openWs = (url, k) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      let subscribed = false;
      ws.on('open', () => ws.send('{"command":"subscribe","streams":["fan"]}'));
      ws.on('message', (buf) => {
        if (buf.indexOf(TYPE_KEY) < 0) delivered(k, buf);
        else if (!subscribed && buf.includes('"subscribed"')) {
          subscribed = true;
          resolve(ws);
        }
      });
      ws.on('error', (e) => (subscribed ? undefined : reject(e)));
      ws.on('close', () => closed++);
    });

  const openSse = (url, k, gzip) =>
    new Promise((resolve, reject) => {
      const headers = gzip ? { 'Accept-Encoding': 'gzip' } : {};
      const req = http.get(url, { agent: false, headers }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`SSE status ${res.statusCode}`));
        // A plain body would measure the uncompressed path under the compressed variant's name.
        if (gzip && res.headers['content-encoding'] !== 'gzip') {
          res.destroy();
          return reject(new Error(`asked for gzip, got Content-Encoding ${res.headers['content-encoding'] ?? 'none'}`));
        }
        let tail = '';
        const onText = (chunk) => {
          // Count `data:` lines; keep the unfinished last line for the next chunk.
          const text = tail + chunk;
          let from = 0;
          for (;;) {
            const nl = text.indexOf('\n', from);
            if (nl < 0) break;
            if (text.startsWith(DATA_LINE, from)) delivered(k, text.slice(from, nl));
            from = nl + 1;
          }
          tail = text.slice(from);
        };
        if (gzip) {
          // Z_SYNC_FLUSH: hand on whatever inflates from each chunk, not only at the end of the body.
          const gunzip = zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH });
          gunzip.setEncoding('latin1');
          gunzip.on('data', onText);
          gunzip.on('error', () => res.destroy());
          res.on('data', (chunk) => {
            bytes += chunk.length;
            gunzip.write(chunk);
          });
        } else {
          res.setEncoding('latin1');
          res.on('data', (chunk) => {
            bytes += chunk.length;
            onText(chunk);
          });
        }
        res.on('close', () => closed++);
        resolve(req);
      });
      req.on('error', reject);
    });

  process.on('message', async (m) => {
    try {
      if (m.type === 'connect') {
        // Connect in waves so the server's accept queue is not flooded.
        // Clients `from`..`to`-1 of this process (a connect may add to earlier ones).
        if (counts.length < m.to) {
          const next = new Uint32Array(m.to);
          next.set(counts);
          counts = next;
        }
        const open = m.kind === 'ws' ? openWs : openSse;
        for (let k = m.from; k < m.to; k += m.wave) {
          const batch = [];
          for (let j = k; j < Math.min(m.to, k + m.wave); j++) batch.push(open(m.url, j, m.gzip === true));
          sockets.push(...(await Promise.all(batch)));
        }
        send({ type: 'ok', id: m.id });
      } else if (m.type === 'clock') {
        send({ type: 'clock', id: m.id, t: now() });
      } else if (m.type === 'begin') {
        counts.fill(0);
        lat = new Samples(1 << 14);
        total = 0;
        bytes = 0;
        seen = 0;
        lastAt = 0;
        sampleEvery = m.sampleEvery;
        offset = m.offset;
        cpu0 = process.cpuUsage();
        send({ type: 'ok', id: m.id });
      } else if (m.type === 'end') {
        // Wait for the stragglers: until all expected arrived, or nothing new for graceMs.
        const started = now();
        const expected = m.perClient * counts.length;
        while (total < expected && now() - Math.max(lastAt, started) < m.graceMs) await new Promise((r) => setTimeout(r, 5));
        const cpu = process.cpuUsage(cpu0);
        let min = Infinity;
        let max = 0;
        for (const c of counts) [min, max] = [Math.min(min, c), Math.max(max, c)];
        send({
          type: 'result',
          id: m.id,
          total,
          expected,
          minPerClient: min,
          maxPerClient: max,
          latency: lat.summary(),
          samples: Array.from(lat.buf.subarray(0, lat.length)),
          lastAt,
          bytes,
          cpuUs: cpu.user + cpu.system,
          closed,
        });
      } else if (m.type === 'close') {
        for (const s of sockets) (s.terminate ?? s.destroy).call(s);
        send({ type: 'ok', id: m.id });
        process.disconnect();
        setTimeout(() => process.exit(0), 200).unref();
      }
    } catch (error) {
      send({ type: 'error', id: m.id, message: error.stack ?? error.message });
    }
  });
  send({ type: 'started', pid: process.pid });
}

/** Parent side: spawns one client process (optionally pinned, with a raised fd limit). */
export class FanoutClientsHandle extends ChildRpc {
  static async start({ pinCpus, fdLimit }) {
    const file = fileURLToPath(import.meta.url);
    const cmd = [...(pinCpus ? ['taskset', '-a', '-c', pinCpus] : []), process.execPath, file, '--child'];
    const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
    const child = spawn('/bin/sh', ['-c', `ulimit -n ${fdLimit} 2>/dev/null; exec ${cmd.map(q).join(' ')}`], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const handle = new FanoutClientsHandle(child);
    handle.pid = (await handle.waitFor((m) => m.type === 'started')).pid;
    return handle;
  }

  constructor(child) {
    super(child, 'client process');
  }
}

/**
 * (other clock − parent clock) in ms from the ping-pong with the smallest round trip; `handle`
 * answers {type:'clock'} with its performance.timeOrigin + now().
 */
export async function clockOffset(handle, rounds = 100) {
  let best = { rtt: Infinity, offset: 0 };
  for (let k = 0; k < rounds; k++) {
    const t0 = now();
    const m = await handle.request({ type: 'clock' });
    const t1 = now();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: m.t - (t0 + t1) / 2 };
  }
  return best;
}

if (process.argv[2] === '--child') {
  childMain().catch((error) => {
    process.stderr.write(`fanout clients failed: ${error.stack}\n`);
    process.exit(1);
  });
}
