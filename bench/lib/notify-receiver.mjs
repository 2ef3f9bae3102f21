// Child process: one plain `pg` LISTEN connection that timestamps every notification.
//
// A notification payload is JSON (one event, or an array of events; the module's signed first) whose events have a `data` object {r: run, w: worker, i: per-worker index,
// t: send time (performance.timeOrigin + performance.now() of the sender)}. Per run it records
// the send→receive latency, distinct/duplicate/reordered counts, and its own CPU time.
// Driven over IPC by ReceiverHandle (below) from the parent.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Samples } from './stats.mjs';
import { ChildRpc } from './child-rpc.mjs';

const now = () => performance.timeOrigin + performance.now();

/** Per-run bookkeeping in the child. */
class RunStats {
  constructor() {
    this.lat = new Samples(1 << 14);
    this.received = 0;
    this.dup = 0;
    this.reordered = 0;
    this.workers = new Map(); // w -> { seen: Uint8Array, max: number, distinct: number }
    this.lastAt = 0;
  }

  add(w, i, latency, at) {
    this.received++;
    this.lastAt = at;
    let s = this.workers.get(w);
    if (!s) this.workers.set(w, (s = { seen: new Uint8Array(1024), max: -1, distinct: 0 }));
    if (i >= s.seen.length) {
      let n = s.seen.length;
      while (n <= i) n *= 2;
      const next = new Uint8Array(n);
      next.set(s.seen);
      s.seen = next;
    }
    if (s.seen[i]) {
      this.dup++;
      return;
    }
    s.seen[i] = 1;
    s.distinct++;
    if (i < s.max) this.reordered++;
    else s.max = i;
    this.lat.push(latency);
  }

  get distinct() {
    let n = 0;
    for (const s of this.workers.values()) n += s.distinct;
    return n;
  }
}

async function childMain() {
  const { default: pg } = await import('pg');
  const runs = new Map();
  let offset = 0;
  let client;
  let malformed = 0;
  const cpuAt = new Map();

  const record = (data, at) => {
    if (!data || typeof data.r !== 'number') {
      malformed++;
      return;
    }
    let run = runs.get(data.r);
    if (!run) runs.set(data.r, (run = new RunStats()));
    run.add(data.w, data.i, at - offset - data.t, at);
  };
  // The naive channel carries one event per notification; the module's carries an array of events,
  // behind its 22-character signature (base64, so never a '[' or '{'), which a latency probe skips.
  const onNotification = (msg) => {
    const at = now();
    const payload = msg.payload ?? '';
    let parsed;
    try {
      parsed = JSON.parse(payload[0] === '[' || payload[0] === '{' ? payload : payload.slice(22));
    } catch {
      malformed++;
      return;
    }
    if (Array.isArray(parsed)) for (const event of parsed) record(event.data, at);
    else record(parsed.data, at);
  };

  const send = (m) => process.send(m);

  process.on('message', async (m) => {
    try {
      if (m.type === 'init') {
        client = new pg.Client({ connectionString: m.url, application_name: 'bench-receiver' });
        client.on('notification', onNotification);
        client.on('error', (e) => send({ type: 'error', message: e.message }));
        await client.connect();
        for (const ch of m.channels) await client.query(`LISTEN ${ch}`);
        const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
        send({ type: 'ready', id: m.id, pid: process.pid, backendPid: rows[0].pid });
      } else if (m.type === 'clock') {
        send({ type: 'clock', id: m.id, t: now() });
      } else if (m.type === 'offset') {
        offset = m.offset;
        send({ type: 'ok', id: m.id });
      } else if (m.type === 'begin') {
        if (!runs.has(m.run)) runs.set(m.run, new RunStats());
        cpuAt.set(m.run, process.cpuUsage());
        send({ type: 'ok', id: m.id });
      } else if (m.type === 'end') {
        let run = runs.get(m.run);
        if (!run) runs.set(m.run, (run = new RunStats()));
        const started = now();
        // Wait for the stragglers: until all expected arrived, or nothing new for graceMs.
        for (;;) {
          if (run.distinct >= m.expected) break;
          const idle = now() - Math.max(run.lastAt, started);
          if (idle > m.graceMs) break;
          await new Promise((r) => setTimeout(r, 5));
        }
        const cpu = process.cpuUsage(cpuAt.get(m.run));
        send({
          type: 'result',
          id: m.id,
          run: m.run,
          received: run.received,
          distinct: run.distinct,
          dup: run.dup,
          reordered: run.reordered,
          malformed,
          latency: run.lat.summary(),
          cpuUs: cpu.user + cpu.system,
          lastAt: run.lastAt,
        });
        runs.delete(m.run);
        cpuAt.delete(m.run);
      } else if (m.type === 'close') {
        await client?.end().catch(() => undefined);
        send({ type: 'ok', id: m.id });
        process.disconnect();
      }
    } catch (error) {
      send({ type: 'error', id: m.id, message: error.message });
    }
  });
  send({ type: 'started' });
}

/** Parent side: spawns the receiver (optionally pinned with taskset) and talks to it. */
export class ReceiverHandle extends ChildRpc {
  static async start({ url, channels, pinCpus }) {
    const file = fileURLToPath(import.meta.url);
    const args = [file, '--child'];
    const child = pinCpus
      ? spawn('taskset', ['-a', '-c', pinCpus, process.execPath, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      : spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const handle = new ReceiverHandle(child);
    await handle.waitFor((m) => m.type === 'started');
    const ready = await handle.request({ type: 'init', url, channels });
    handle.pid = ready.pid;
    handle.backendPid = ready.backendPid;
    return handle;
  }

  constructor(child) {
    super(child, 'receiver');
  }

  /**
   * Estimates (child clock − parent clock) in ms from the ping-pong with the smallest round trip,
   * then tells the child to subtract it. Both clocks are performance.timeOrigin + now().
   */
  async calibrateClock(rounds = 200) {
    const nowParent = () => performance.timeOrigin + performance.now();
    let best = { rtt: Infinity, offset: 0 };
    for (let k = 0; k < rounds; k++) {
      const t0 = nowParent();
      const m = await this.request({ type: 'clock' });
      const t1 = nowParent();
      if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: m.t - (t0 + t1) / 2 };
    }
    await this.request({ type: 'offset', offset: best.offset });
    return best;
  }

  begin(run) {
    return this.request({ type: 'begin', run });
  }

  end(run, expected, graceMs) {
    return this.request({ type: 'end', run, expected, graceMs });
  }
}

if (process.argv[2] === '--child') {
  childMain().catch((error) => {
    process.stderr.write(`receiver failed: ${error.stack}\n`);
    process.exit(1);
  });
}
