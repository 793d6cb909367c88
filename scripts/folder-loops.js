#!/usr/bin/env node
/**
 * Counts the arrows between folders of src/ and import/ (folder = a file's directory, e.g. src/server,
 * import/parse/values) and those inside a loop of folders: a two-folder loop (A → B and B → A) or a longer one
 * (a strongly connected set of three or more folders). Dependency-cruiser only finds file cycles; this is the
 * same question one level up, for docs/architecture.md.
 *
 *   node scripts/folder-loops.js            # figures and the arrows in loops
 *   node scripts/folder-loops.js --all      # also every folder arrow, with the imports behind it
 *
 * Type-only imports count, as in .dependency-cruiser.cjs. Imports between *.entity.ts files (TypeORM relations)
 * are counted apart: they are allowed loops.
 */
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { stronglyConnected } = require('./strongly-connected');

const root = path.join(__dirname, '..');
const json = execFileSync(
  'npx',
  ['depcruise', 'src', 'import', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
  { cwd: root, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
);
const { modules } = JSON.parse(json);

const inProject = (file) => /^(src|import)\//.test(file);
const folderOf = (file) => path.posix.dirname(file);

/** "from → to" folder arrow → the file imports behind it */
const arrows = new Map();
for (const mod of modules) {
  if (!inProject(mod.source)) continue;
  for (const dep of mod.dependencies) {
    if (!inProject(dep.resolved)) continue;
    const from = folderOf(mod.source);
    const to = folderOf(dep.resolved);
    if (from === to) continue;
    const key = `${from} → ${to}`;
    if (!arrows.has(key)) arrows.set(key, { from, to, imports: [] });
    arrows.get(key).imports.push(`${mod.source} → ${dep.resolved}`);
  }
}

// Strongly connected folders (Tarjan).
const next = new Map();
for (const { from, to } of arrows.values()) {
  if (!next.has(from)) next.set(from, []);
  if (!next.has(to)) next.set(to, []);
  next.get(from).push(to);
}
const components = stronglyConnected(next);
const componentOf = new Map();
components.forEach((component, i) => component.forEach((folder) => componentOf.set(folder, i)));

const isEntityImport = (line) => /\.entity\.ts → .*\.entity\.ts$/.test(line);
const all = [...arrows.values()].sort((a, b) => `${a.from} ${a.to}`.localeCompare(`${b.from} ${b.to}`));
const twoFolder = all.filter((a) => arrows.has(`${a.to} → ${a.from}`));
const inLoop = all.filter((a) => componentOf.get(a.from) === componentOf.get(a.to));
const onlyEntities = (a) => a.imports.every(isEntityImport);
const bigComponents = components.filter((c) => c.length > 1);
// The same question once the entity → entity imports (allowed loops) are set aside.
const withoutEntities = new Set(all.filter((a) => !onlyEntities(a)).map((a) => `${a.from} → ${a.to}`));
const twoFolderBeyondEntities = all.filter(
  (a) => withoutEntities.has(`${a.from} → ${a.to}`) && withoutEntities.has(`${a.to} → ${a.from}`) && a.from < a.to,
);

console.log(`folders: ${next.size}, folder arrows: ${all.length}`);
console.log(`arrows in two-folder loops (A → B and B → A): ${twoFolder.length} (${twoFolder.filter(onlyEntities).length} of them only entity → entity imports)`);
console.log(`arrows in loops of any length (inside one strongly connected set of folders): ${inLoop.length}`);
console.log(`loops (strongly connected sets of folders): ${bigComponents.length}${bigComponents.length ? ', sizes ' + bigComponents.map((c) => c.length).join(', ') : ''}`);
for (const c of bigComponents) console.log(`  { ${c.join(', ')} }`);
console.log(`two-folder loops left once the entity → entity imports are set aside: ${twoFolderBeyondEntities.length}`);
for (const a of twoFolderBeyondEntities) console.log(`  ${a.from} ⇄ ${a.to}`);
console.log('\narrows in loops (* = two-folder loop; each with its imports, [entity] = entity → entity):');
for (const a of inLoop) {
  console.log(`${twoFolder.includes(a) ? '*' : ' '} ${a.from} → ${a.to} (${a.imports.length})`);
  for (const line of a.imports) console.log(`      ${line}${isEntityImport(line) ? ' [entity]' : ''}`);
}
if (process.argv.includes('--all')) {
  console.log('\nall folder arrows:');
  for (const a of all) console.log(`  ${a.from} → ${a.to} (${a.imports.length})`);
}
