#!/usr/bin/env node
// Fails when the folders under lib/ import each other in a cycle. File-level tools (madge, dpdm)
// only see cycles between files; two folders can still depend on each other through different
// files, which breaks the one-way layering even when nothing crashes at load time. Every import
// counts, type-only ones too: a type that climbs a layer is a design cycle all the same.
// Checked at two depths: the folders of lib/ (transports/ as one), then the folders within them
// (transports/ws/ against transports/sse/).
// Usage: node tools/check-folder-cycles.mjs [root=lib]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(process.argv[2] ?? 'lib');
const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) yield path;
  }
}

/** The folder holding `path` down to `depth` levels under the root, or the file itself above that. */
function unit(path, depth) {
  const rel = relative(root, path);
  if (rel.startsWith('..')) return undefined; // outside lib/ (migrations/): not a layer of lib/
  const parts = rel.split(sep);
  return parts.length > depth ? `${parts.slice(0, depth).join('/')}/` : parts.join('/');
}

const imports = [];
for (const file of sourceFiles(root)) {
  for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    imports.push([file, resolve(dirname(file), match[1] ?? match[2]), match[1] ?? match[2]]);
  }
}

let failed = false;
for (const depth of [1, 2]) {
  const edges = new Map(); // unit -> Map(unit -> example "file -> import")
  for (const [file, target, spec] of imports) {
    const from = unit(file, depth);
    const to = unit(target, depth);
    if (!to || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${relative(root, file)} -> ${spec}`);
  }
  const cycles = findCycles(edges);
  if (cycles.length === 0) {
    const units = new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]);
    console.log(`No folder cycle at depth ${depth} (${units.size} folders and files of ${relative(process.cwd(), root) || '.'}).`);
  }
  for (const component of cycles) {
    failed = true;
    const members = new Set(component);
    console.error(`Folder cycle: ${component.sort().join(' <-> ')}`);
    for (const from of component) {
      for (const [to, example] of edges.get(from) ?? []) if (members.has(to)) console.error(`  ${from} -> ${to}  (${example})`);
    }
  }
}
process.exit(failed ? 1 : 0);

/** Tarjan's strongly connected components: every component of more than one unit is a cycle. */
function findCycles(edges) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const cycles = [];
  function visit(node) {
    const s = { index, low: index, onStack: true };
    index++;
    state.set(node, s);
    stack.push(node);
    for (const next of edges.get(node)?.keys() ?? []) {
      if (!state.has(next)) {
        visit(next);
        s.low = Math.min(s.low, state.get(next).low);
      } else if (state.get(next).onStack) s.low = Math.min(s.low, state.get(next).index);
    }
    if (s.low === s.index) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        state.get(member).onStack = false;
        component.push(member);
      } while (member !== node);
      if (component.length > 1) cycles.push(component);
    }
  }
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return cycles;
}
