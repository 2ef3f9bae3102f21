// Gives every test file a PostgreSQL server: DATABASE_URL when it answers, else an embedded one.
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { spawnSync } from 'node:child_process';
import { loadEmbeddedPostgres, reachableByOthers, runsAsAnotherUser } from '../../sample/database/reachable-embedded-postgres.mjs';

async function reachable(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The browser tests need a Chromium; a fresh machine gets Debian's (see tools/ensure-chromium.sh). */
function ensureChromium() {
  const script = new URL('../../tools/ensure-chromium.sh', import.meta.url).pathname;
  const { status } = spawnSync('bash', [script], { stdio: 'inherit' });
  if (status !== 0) throw new Error('No Chromium for the browser tests (test/browser); see the message above.');
}

export default async function globalSetup() {
  ensureChromium();
  const url = process.env.DATABASE_URL;
  if (url && (await reachable(url))) {
    process.env.FIREHOSE_TEST_DATABASE_URL = url;
    return;
  }
  if (url) console.warn(`\nDATABASE_URL (${url}) does not answer; starting an embedded PostgreSQL for the tests.`);
  if (runsAsAnotherUser() && !reachableByOthers(tmpdir())) {
    throw new Error(
      `The embedded PostgreSQL runs as the postgres OS user, who cannot reach the temporary directory ${tmpdir()}: set TMPDIR to one that others may enter, or DATABASE_URL to a server.`,
    );
  }
  // Loaded from a copy the postgres OS user can reach when the project sits in a private directory.
  const EmbeddedPostgres = await loadEmbeddedPostgres(new URL('../..', import.meta.url).pathname);
  const port = await freePort();
  const databaseDir = mkdtempSync(join(tmpdir(), 'firehose-test-pg-'));
  const logs = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: (message) => void logs.push(String(message)),
    onError: (error) => void logs.push(String(error)),
    postgresFlags: ['-c', 'max_connections=300'],
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    rmSync(databaseDir, { recursive: true, force: true });
    throw new Error(
      `The embedded PostgreSQL for the tests did not start (${error?.message ?? 'it exited'}); set DATABASE_URL to a server.\n${logs.join('').trim()}`,
    );
  }
  globalThis.__FIREHOSE_EMBEDDED_PG__ = server;
  process.env.FIREHOSE_TEST_DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}
