import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(process.cwd());

/** The outDir a tsconfig resolves to, `extends` included. */
function outDirOf(tsconfig: string): string {
  const path = join(ROOT, tsconfig);
  const { config, error } = ts.readConfigFile(path, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return resolve(ts.parseJsonConfigFileContent(config, ts.sys, dirname(path)).options.outDir!);
}

/**
 * `npm run sample:worker` runs while the app (`npm start`) runs from its build. Nest's build
 * empties its output directory first, so the worker's build must write somewhere else, and start
 * the worker from there.
 */
describe('the sample worker build', () => {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const nestCli = JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8')) as {
    compilerOptions: { tsConfigPath: string; assets?: Array<{ include: string; outDir?: string }> };
  };
  const appOutDir = outDirOf(nestCli.compilerOptions.tsConfigPath);

  it('builds into a directory of its own, and starts the worker from it', () => {
    const [build, run] = scripts['sample:worker'].split(' && ');
    const tsconfig = build.match(/^nest build -p (\S+)$/)?.[1];
    expect(tsconfig).toBeDefined();
    const workerOutDir = outDirOf(tsconfig!);
    expect(workerOutDir).not.toBe(appOutDir);
    expect(appOutDir.startsWith(`${workerOutDir}/`)).toBe(false);
    expect(resolve(ROOT, run.match(/^node (\S+)$/)![1])).toBe(join(workerOutDir, 'sample', 'worker.js'));
  });

  it('copies the plain-JavaScript embedded-PostgreSQL helper into whichever directory it builds', () => {
    // No asset outDir: each build puts the assets beside its own compiled files.
    expect(nestCli.compilerOptions.assets).toEqual([{ include: 'sample/database/*.mjs' }]);
  });
});
