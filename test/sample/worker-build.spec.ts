import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(process.cwd());
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** The directory a script builds the sample into, and the file it then runs. */
function buildAndRun(script: string): { outDir: string; entry: string } {
  const outDir = script.match(/node tools\/build-sample\.mjs (\S+) && node (\S+)$/);
  expect(outDir).not.toBeNull();
  return { outDir: resolve(ROOT, outDir![1]), entry: resolve(ROOT, outDir![2]) };
}

/**
 * `npm run sample:worker` runs while the app (`npm start`) runs from its build: the worker must
 * build elsewhere and start from there (its build used to empty the app's directory first).
 */
describe('the sample builds', () => {
  it('put the app and the worker in directories of their own, and each starts from its own', () => {
    const app = buildAndRun(scripts.start);
    const worker = buildAndRun(scripts['sample:worker']);
    expect(worker.outDir).not.toBe(app.outDir);
    expect(app.outDir.startsWith(`${worker.outDir}/`) || worker.outDir.startsWith(`${app.outDir}/`)).toBe(false);
    expect(app.entry).toBe(join(app.outDir, 'sample', 'main.js'));
    expect(worker.entry).toBe(join(worker.outDir, 'sample', 'worker.js'));
  });
});
