#!/usr/bin/env node
// Benchmark runner: `node bench/run.mjs <scenario> [<scenario>...]` (or `npm run bench -- <scenario>`).
// Each scenario is bench/scenarios/<name>.mjs exporting `description`, optional `knobs`
// ({ ENV_VAR: help }) and `run({ serverUrl })`. DATABASE_URL selects the PostgreSQL server;
// every scenario works in a database of its own that it creates and drops.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DATABASE_URL } from './lib/db.mjs';
import { progress } from './lib/env.mjs';

const scenarioDir = fileURLToPath(new URL('./scenarios/', import.meta.url));
const available = readdirSync(scenarioDir)
  .filter((f) => f.endsWith('.mjs'))
  .map((f) => f.slice(0, -4))
  .sort();

async function usage() {
  console.log('usage: node bench/run.mjs <scenario> [...]   (npm run bench -- <scenario>)\n');
  console.log('scenarios:');
  for (const name of available) {
    const mod = await import(new URL(`./scenarios/${name}.mjs`, import.meta.url));
    console.log(`  ${name.padEnd(12)} ${mod.description ?? ''}`);
    for (const [k, v] of Object.entries(mod.knobs ?? {})) console.log(`      ${k.padEnd(22)} ${v}`);
  }
  console.log(`\nenvironment: DATABASE_URL (default ${DEFAULT_DATABASE_URL})`);
}

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
if (names.length === 0 || process.argv.includes('--help') || process.argv.includes('-h')) {
  await usage();
  process.exit(names.length === 0 ? 1 : 0);
}
const unknown = names.filter((n) => !available.includes(n));
if (unknown.length) {
  console.error(`unknown scenario: ${unknown.join(', ')} (available: ${available.join(', ')})`);
  process.exit(1);
}

const serverUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
let failed = false;
for (const name of names) {
  progress(`scenario ${name}`);
  const scenario = await import(new URL(`./scenarios/${name}.mjs`, import.meta.url));
  try {
    await scenario.run({ serverUrl });
  } catch (error) {
    failed = true;
    console.error(`scenario ${name} failed: ${error.stack ?? error}`);
  }
}
progress('done');
// Some libraries keep timers or sockets alive after close(); the report is complete here.
process.exit(failed ? 1 : 0);
