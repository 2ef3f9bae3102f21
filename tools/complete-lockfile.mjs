#!/usr/bin/env node
// Run after `npm install` changes package-lock.json: `node tools/complete-lockfile.mjs`.
// Adds lock entries for platform-specific optional packages this registry does not serve, which
// npm leaves out of the lock and `npm ci` then reports as missing.
import { readFileSync, writeFileSync } from 'node:fs';
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] || lock.packages[`${path}/node_modules/${name}`]) continue;
    const m = /-(android|darwin|freebsd|linux|openharmony|win32)-(arm64|arm|x64|ia32|loong64|ppc64|riscv64|s390x)/.exec(name);
    if (!m) {
      console.log('cannot place', name);
      continue;
    }
    lock.packages[key] = { version, cpu: [m[2]], dev: entry.dev, optional: true, os: [m[1]] };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
console.log('added', added);
