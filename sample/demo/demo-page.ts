import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PAGE = 'index.html';

/**
 * The demo's HTML, read from this folder. The sample's build copies no HTML into dist-sample/,
 * so from there the page is read from sample/demo at the repository root instead.
 */
export async function readDemoPage(from: string = import.meta.url): Promise<string> {
  const here = dirname(fileURLToPath(from));
  for (let dir = here; ; dir = dirname(dir)) {
    const candidate = dir === here ? join(here, PAGE) : join(dir, 'sample', 'demo', PAGE);
    if (existsSync(candidate)) return readFile(candidate, 'utf8');
    if (existsSync(join(dir, 'package.json')) || dirname(dir) === dir) {
      throw new Error(`The demo page ${PAGE} was not found beside ${here} nor in sample/demo/ of the repository.`);
    }
  }
}
