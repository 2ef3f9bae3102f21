import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadEmbeddedPostgres, reachableByOthers, runsAsAnotherUser } from './reachable-embedded-postgres.mjs';

// Fixed, so the worker process can find the server the app started.
export const EMBEDDED_PORT = 54329;
export const EMBEDDED_URL = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PORT}/postgres`;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

export interface EmbeddedServer {
  /** Where the cluster keeps its data. */
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The project's root; npm runs scripts from there. */
  projectDir?: string;
  port?: number;
}

/**
 * The cluster's directory: `.sample-postgres/` in the project (git-ignored), unless the server runs
 * as another OS user (the app runs as root) who cannot reach the project, cloned under a private
 * directory: then one in the system's temporary directory, named after the project so each clone
 * keeps its own.
 */
export function embeddedDataDir(projectDir = process.cwd()): string {
  if (!runsAsAnotherUser() || reachableByOthers(projectDir)) return join(projectDir, '.sample-postgres');
  const tag = createHash('sha256').update(projectDir).digest('hex').slice(0, 8);
  return join(tmpdir(), `nestjs-firehose-sample-postgres-${basename(projectDir)}-${tag}`);
}

/** Starts the sample's own PostgreSQL, creating the cluster on first use. */
export async function startEmbeddedPostgres({
  projectDir = process.cwd(),
  port = EMBEDDED_PORT,
}: EmbeddedPostgresOptions = {}): Promise<EmbeddedServer> {
  const dataDir = embeddedDataDir(projectDir);
  const running = postmasterPid(dataDir);
  if (running !== undefined && isAlive(running)) {
    throw new Error(
      `An embedded PostgreSQL (pid ${running}) already runs on ${dataDir}: is another \`npm start\` open? ` +
        'Stop it first, or set DATABASE_URL to use another server.',
    );
  }
  const EmbeddedPostgres = await importEmbeddedPostgres(projectDir);
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root; this runs it as (and if needed creates) a `postgres` OS user.
    createPostgresUser: true,
    // Kept quiet, but kept: the server's own words are the useful part of a failed start.
    onLog: (message) => void logs.push(String(message)),
    onError: (error) => void logs.push(String(error)),
  });
  const created = !existsSync(join(dataDir, 'PG_VERSION'));
  try {
    if (created) await server.initialise();
    await server.start();
  } catch (error) {
    // A half-made cluster would only fail the next start in a stranger way: remove what this run made.
    if (created) rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`The embedded PostgreSQL did not start (${(error as Error)?.message ?? 'it exited'}):\n${logs.join('').trim()}`);
  }
  const pid = postmasterPid(dataDir);
  return {
    dataDir,
    // A Ctrl+C in a terminal also reaches the postmaster (same process group), which may then be gone
    // already; embedded-postgres's stop() would wait forever for that exit, so also watch the pid.
    stop: () => Promise.race([server.stop(), pid === undefined ? Promise.resolve() : exited(pid)]),
  };
}

/**
 * Loading embedded-postgres installs SIGINT/SIGTERM handlers that stop every server at once and
 * exit, racing Nest's shutdown hooks (the app's connections would die under it). Those handlers are
 * removed here; sample-database.ts stops the server after the app has closed. Its `exit` hook stays
 * as a safety net for any other way out.
 */
async function importEmbeddedPostgres(projectDir: string) {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const EmbeddedPostgres = await loadEmbeddedPostgres(projectDir);
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

function postmasterPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0], 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user, which is still "running".
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exited(pid: number): Promise<void> {
  while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
}
