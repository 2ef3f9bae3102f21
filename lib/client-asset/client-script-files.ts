import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled client's entry module; its name is also the marker of a built client directory. */
export const CLIENT_ENTRY_FILE = 'index.js';

/**
 * Where the compiled browser client lives. In the published package it is `dist/lib/client`, the
 * sibling of this file's directory. When the library runs from its sources (its own tests, the
 * sample built by `npm start`), that sibling holds TypeScript, and the client built by
 * `npm run build` is in `dist/lib/client` of the package root above.
 */
export function locateClientScripts(from: string = import.meta.url): string | undefined {
  const here = dirname(fileURLToPath(from));
  const sibling = join(here, '..', 'client');
  if (existsSync(join(sibling, CLIENT_ENTRY_FILE))) return sibling;
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      const built = join(dir, 'dist', 'lib', 'client');
      return existsSync(join(built, CLIENT_ENTRY_FILE)) ? built : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The client's `.js` modules by file name, read once: a fixed set, so no request names a path. */
export async function readClientScripts(dir: string): Promise<Map<string, string>> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.js'));
  const contents = await Promise.all(files.map((file) => readFile(join(dir, file), 'utf8')));
  return new Map(files.map((file, i) => [file, contents[i]]));
}
