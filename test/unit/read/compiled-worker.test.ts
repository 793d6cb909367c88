/**
 * In production the reader runs compiled (`npm run build` → dist/import/read/*.js) and starts
 * `xlsx.worker.js` directly. This test compiles the read stage the same way into a temporary folder and
 * runs it in a plain `node` process, so both ways of locating the worker are exercised by `jest`.
 */
import { transformFileSync } from '@swc/core';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xlsxOf } from './read-helpers';

const ROOT = join(__dirname, '..', '..', '..');

function compile(sourceDir: string, files: string[], outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  for (const file of files) {
    const { code } = transformFileSync(join(sourceDir, file), {
      swcrc: false,
      module: { type: 'commonjs' },
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    });
    writeFileSync(join(outDir, file.replace(/\.ts$/, '.js')), code);
  }
}

describe('the compiled read stage', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'crte-read-'));
    compile(join(ROOT, 'import', 'common'), ['model.ts', 'issue-codes.ts'], join(dir, 'import', 'common'));
    // The worker loads SheetJS through the kernel's one loader.
    compile(join(ROOT, 'src', 'kernel'), ['xlsx-library.ts'], join(dir, 'src', 'kernel'));
    const readFiles = readdirSync(join(ROOT, 'import', 'read')).filter((f) => f.endsWith('.ts'));
    compile(join(ROOT, 'import', 'read'), readFiles, join(dir, 'import', 'read'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts xlsx.worker.js directly and reads a workbook from a plain node process', () => {
    const file = join(dir, 'book.xlsx');
    writeFileSync(file, xlsxOf([{ name: 'Feuille', aoa: [['a', 1], ['b', 2]] }]));
    const script = `
      const { readUploadedFile } = require(${JSON.stringify(join(dir, 'import', 'read', 'read-file.js'))});
      const { resolveWorkerScript } = require(${JSON.stringify(join(dir, 'import', 'read', 'xlsx.reader.js'))});
      readUploadedFile(require('fs').readFileSync(${JSON.stringify(file)}), 'book.xlsx').then((result) => {
        const worker = resolveWorkerScript();
        console.log(JSON.stringify({ eval: worker.eval, script: worker.script, rows: result.sheets[0].rows }));
      }, (error) => { console.error(error); process.exit(1); });
    `;
    const run = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stderr).toBe('');
    const output = JSON.parse(run.stdout) as { eval: boolean; script: string; rows: unknown };
    expect(output.eval).toBe(false);
    expect(output.script).toBe(join(dir, 'import', 'read', 'xlsx.worker.js'));
    expect(output.rows).toEqual([
      [{ kind: 'string', value: 'a' }, { kind: 'number', value: 1 }],
      [{ kind: 'string', value: 'b' }, { kind: 'number', value: 2 }],
    ]);
  });
});
