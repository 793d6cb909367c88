#!/usr/bin/env node
/**
 * No loop between the folders of src/ (a folder = src/<name>/ with everything under it; the files directly in
 * src/ count as one folder, "src"). Dependency-cruiser's no-circular rule finds file cycles; this is the same
 * rule one level up, so that the folders stay layers (docs/architecture.md). Run by `npm run depcheck` after
 * depcruise; fails (exit 1) printing, for each loop, every import that makes it, as "from → to".
 *
 * Counted as in .dependency-cruiser.cjs: type-only imports too. Excepted: imports from a *.entity.ts to a
 * *.entity.ts (TypeORM relations point both ways: a funding line's batch, a batch's contract).
 *
 *   node scripts/folder-layers.js            # the check
 *   node scripts/folder-layers.js --layers   # also each folder's layer (longest chain of folders below it)
 *   node scripts/folder-layers.js x.json     # from a saved `depcruise --output-type json`
 */
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { stronglyConnected } = require('./strongly-connected');

const root = path.join(__dirname, '..');
const file = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
const json = file
  ? readFileSync(file, 'utf8')
  : execFileSync(path.join(root, 'node_modules', '.bin', 'depcruise'), ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
      cwd: root,
      maxBuffer: 256 * 1024 * 1024,
      encoding: 'utf8',
    });
const { modules } = JSON.parse(json);

/** src/<name>/… → src/<name>; src/config.ts → src; anything else (node_modules, import/) → null. */
function folderOf(source) {
  if (!source.startsWith('src/')) return null;
  const parts = source.split('/');
  return parts.length > 2 ? `src/${parts[1]}` : 'src';
}
const isEntity = (source) => source.endsWith('.entity.ts');

/** "from → to" between folders → the file imports behind it. */
const arrows = new Map();
const next = new Map();
for (const mod of modules) {
  const from = folderOf(mod.source);
  if (!from) continue;
  if (!next.has(from)) next.set(from, new Set());
  for (const dep of mod.dependencies) {
    const to = folderOf(dep.resolved);
    if (!to || to === from) continue;
    if (isEntity(mod.source) && isEntity(dep.resolved)) continue;
    if (!next.has(to)) next.set(to, new Set());
    next.get(from).add(to);
    const key = `${from} → ${to}`;
    if (!arrows.has(key)) arrows.set(key, []);
    arrows.get(key).push(`${mod.source} → ${dep.resolved}`);
  }
}

// Strongly connected sets of folders: a set of two or more is a loop.
const loops = stronglyConnected(next).filter((component) => component.length > 1);

if (loops.length) {
  console.error(`folder-layers: ${loops.length} loop${loops.length > 1 ? 's' : ''} between folders of src/ (entity → entity imports excepted).`);
  console.error('Break each by moving what the lower folder imports from the higher one up (a field resolver into the domain whose rows it reads)');
  console.error('or what both need down (a helper, a type): docs/architecture.md, « Layers of src/ ».');
  for (const loop of loops) {
    const members = new Set(loop);
    console.error(`\nloop: ${loop.join(', ')}`);
    // The thinnest arrows first: usually the import that runs back up.
    const inLoop = [...arrows].filter(([key]) => key.split(' → ').every((folder) => members.has(folder)));
    inLoop.sort(([a, x], [b, y]) => x.length - y.length || a.localeCompare(b));
    for (const [key, imports] of inLoop) {
      console.error(`  ${key} (${imports.length} import${imports.length > 1 ? 's' : ''})`);
      for (const line of imports) console.error(`    ${line}`);
    }
  }
  process.exit(1);
}

console.log(`folder-layers: no loop between the ${next.size} folders of src/ (${arrows.size} folder arrows, entity → entity imports excepted)`);
if (process.argv.includes('--layers')) {
  // A folder's layer: 0 when it imports no other folder, else one more than the highest folder it imports.
  const layer = new Map();
  const layerOf = (v) => {
    if (!layer.has(v)) layer.set(v, Math.max(-1, ...[...next.get(v)].map(layerOf)) + 1);
    return layer.get(v);
  };
  const byLayer = new Map();
  for (const v of next.keys()) {
    const n = layerOf(v);
    if (!byLayer.has(n)) byLayer.set(n, []);
    byLayer.get(n).push(v);
  }
  for (const n of [...byLayer.keys()].sort((a, b) => a - b)) console.log(`  ${n}: ${byLayer.get(n).sort().join(', ')}`);
}
