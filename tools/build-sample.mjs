// Builds the sample into the directory given (dist-sample for the app, dist-worker for the worker):
// tsc, then the sample's plain-JavaScript modules, which tsc does not copy. It deletes nothing, and
// the worker builds elsewhere, so `npm run sample:worker` leaves the running app's files alone.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const outDir = process.argv[2];
if (!outDir) {
  console.error('Usage: node tools/build-sample.mjs <output directory>');
  process.exit(2);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'sample', 'tsconfig.json'), '--outDir', resolve(root, outDir)], {
    stdio: 'inherit',
  });
} catch {
  // tsc has printed the errors.
  process.exit(1);
}
const sample = join(root, 'sample');
for (const file of readdirSync(sample, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.mjs'))) {
  cpSync(join(sample, file), resolve(root, outDir, 'sample', file));
}
