// A throwaway PostgreSQL database per benchmark run, server facts, and PostgreSQL CPU accounting.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { processName, snapshotPids, diffPids } from './cpu.mjs';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = '/' + database;
  return u.toString();
}

function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/**
 * Creates `bench_<random>` on the server of `serverUrl` and returns its url, an admin client
 * (connected to the new database) and drop(). drop() is also run on SIGINT/SIGTERM.
 */
export async function createFreshDatabase(serverUrl = DEFAULT_DATABASE_URL) {
  const name = `bench_${randomBytes(4).toString('hex')}`;
  const maintenance = new pg.Client({ connectionString: serverUrl });
  await maintenance.connect();
  await maintenance.query(`CREATE DATABASE ${name}`);
  await maintenance.end();
  const url = withDatabase(serverUrl, name);
  const admin = new pg.Client({ connectionString: url, application_name: 'bench-admin' });
  await admin.connect();

  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await admin.end().catch(() => undefined);
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  const onSignal = (signal) => {
    process.stderr.write(`\n${signal}: dropping ${name}\n`);
    drop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { name, url, displayUrl: redact(url), admin, drop };
}

/** Settings that decide commit cost, plus whether the server's processes are visible here. */
export async function serverInfo(client) {
  const settings = [
    'server_version',
    'synchronous_commit',
    'fsync',
    'wal_sync_method',
    'full_page_writes',
    'commit_delay',
    'wal_level',
    'shared_buffers',
    'max_connections',
    'max_wal_size',
    'checkpoint_timeout',
  ];
  const { rows } = await client.query(`SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)`, [settings]);
  const info = {};
  for (const r of rows) info[r.name] = r.unit && !['bool', 'enum'].includes(r.unit) ? `${r.setting}${r.unit}` : r.setting;
  const {
    rows: [me],
  } = await client.query('SELECT pg_backend_pid() AS pid, inet_server_addr()::text AS addr');
  // The server is on this host (and /proc shows its CPU) when our backend pid is a postgres process here.
  info.local = processName(me.pid) === 'postgres';
  info.server_addr = me.addr;
  return info;
}

/**
 * CPU used by the PostgreSQL processes serving `database` plus the server's background processes
 * (WAL writer, checkpointer, autovacuum...). Other databases' client backends are excluded.
 */
export class PgCpuMeter {
  constructor(client, database, enabled) {
    this.client = client;
    this.database = database;
    this.enabled = enabled;
  }

  async pids() {
    const { rows } = await this.client.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 OR backend_type <> 'client backend'`, [
      this.database,
    ]);
    return rows.map((r) => r.pid);
  }

  async start() {
    if (!this.enabled) return undefined;
    return snapshotPids(await this.pids());
  }

  /**
   * CPU µs since `start()`'s snapshot, plus all the CPU of processes that appeared since (pools
   * open connections lazily); `lost` counts processes that ended in between; `pids` lists them all.
   */
  async stop(snapshot) {
    if (!snapshot) return undefined;
    const now = await this.pids();
    const fresh = now.filter((pid) => !snapshot.has(pid));
    const after = snapshotPids([...snapshot.keys(), ...fresh]);
    const { us, lost } = diffPids(snapshot, after);
    let added = 0;
    for (const pid of fresh) added += after.get(pid) ?? 0;
    return { us: us + added, lost, pids: [...after.keys()] };
  }
}
