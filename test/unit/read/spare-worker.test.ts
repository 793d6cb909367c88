/**
 * The spare worker (xlsx.reader.ts, keepSpareWorker): a worker started ahead with xlsx loaded takes the
 * next file, a new one is started behind it, and the sandbox is the same as a worker started for the file.
 */
import { transformFileSync } from '@swc/core';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeSpareWorker, hasSpareWorker, keepSpareWorker, readSpreadsheetInWorker, refillSparesAfter, type WorkerRunStats } from '../../../import/read/xlsx.reader';
import { bigXlsx, prototypeFingerprint, readErrorOf, xlsxOf } from './read-helpers';

const ROOT = join(__dirname, '..', '..', '..');
const FINGERPRINT = prototypeFingerprint();

afterEach(async () => {
  await closeSpareWorker();
  expect(prototypeFingerprint()).toBe(FINGERPRINT);
});

describe('the spare worker', () => {
  it('takes the next file, and refillSparesAfter starts the next spares once its job ends', async () => {
    await keepSpareWorker({ parallelParts: 1 });
    expect(hasSpareWorker()).toBe(true);
    const stats = { totalMs: 0 } as WorkerRunStats;
    const result = await refillSparesAfter(async () => {
      const read = await readSpreadsheetInWorker(xlsxOf([{ name: 'F', aoa: [['a', 1]] }]), {}, stats);
      // Not while the caller still works on the file: when its job is done.
      expect(hasSpareWorker()).toBe(false);
      return read;
    });
    expect(stats.spare).toBe(true);
    expect(result.sheets[0].rows).toEqual([[{ kind: 'string', value: 'a' }, { kind: 'number', value: 1 }]]);
    expect(hasSpareWorker()).toBe(true);
    const again = { totalMs: 0 } as WorkerRunStats;
    await readSpreadsheetInWorker(xlsxOf([{ name: 'G', aoa: [[2]] }]), {}, again);
    expect(again.spare).toBe(true);
  });

  it('starts the next spares after a job that failed too', async () => {
    await keepSpareWorker({ parallelParts: 1 });
    const failed = refillSparesAfter(async () => {
      await readSpreadsheetInWorker(xlsxOf([{ name: 'F', aoa: [[1]] }]), {});
      expect(hasSpareWorker()).toBe(false);
      throw new Error('écriture refusée');
    });
    await expect(failed).rejects.toThrow('écriture refusée');
    expect(hasSpareWorker()).toBe(true);
  });

  it('is not used by a read that asks for other limits, nor kept after closeSpareWorker', async () => {
    await keepSpareWorker();
    const stats = { totalMs: 0 } as WorkerRunStats;
    await readSpreadsheetInWorker(xlsxOf([{ name: 'F', aoa: [[1]] }]), { maxOldGenerationSizeMb: 128 }, stats);
    expect(stats.spare).toBe(false);
    await closeSpareWorker();
    expect(hasSpareWorker()).toBe(false);
    const after = { totalMs: 0 } as WorkerRunStats;
    await readSpreadsheetInWorker(xlsxOf([{ name: 'F', aoa: [[1]] }]), {}, after);
    expect(after.spare).toBe(false);
    expect(hasSpareWorker()).toBe(false);
  });

  it('keeps the wall-clock limit, counted from when the spare gets the file', async () => {
    const file = bigXlsx(3000);
    await keepSpareWorker();
    // Waiting longer than the limit before the read must not count.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stats = { totalMs: 0 } as WorkerRunStats;
    const error = await readErrorOf(() => readSpreadsheetInWorker(file, { timeoutMs: 1 }, stats));
    expect(error.code).toBe('FILE_TIMEOUT');
    expect(stats.spare).toBe(true);
    const result = await readSpreadsheetInWorker(file, { timeoutMs: 20_000 });
    expect(result.sheets[0].rows).toHaveLength(3001);
  });

  it('keeps the memory limit it was started with', async () => {
    // One band: two workers of 32 MB each might hold the file between them.
    await keepSpareWorker({ maxOldGenerationSizeMb: 32, parallelParts: 1 });
    const stats = { totalMs: 0 } as WorkerRunStats;
    const error = await readErrorOf(() => readSpreadsheetInWorker(bigXlsx(30_000), { maxOldGenerationSizeMb: 32, parallelParts: 1 }, stats));
    expect(stats.spare).toBe(true);
    expect(error.code).toBe('FILE_TOO_COMPLEX');
  });
});

describe('the spare worker of a plain node process', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'crte-spare-'));
    for (const [from, files, to] of [
      [join(ROOT, 'import', 'common'), ['model.ts', 'issue-codes.ts'], join(dir, 'import', 'common')],
      // The worker loads SheetJS through the kernel's one loader.
      [join(ROOT, 'src', 'kernel'), ['xlsx-library.ts'], join(dir, 'src', 'kernel')],
      [join(ROOT, 'import', 'read'), readdirSync(join(ROOT, 'import', 'read')).filter((f) => f.endsWith('.ts')), join(dir, 'import', 'read')],
    ] as const) {
      mkdirSync(to, { recursive: true });
      for (const file of files) {
        const { code } = transformFileSync(join(from, file), { swcrc: false, module: { type: 'commonjs' }, jsc: { target: 'es2022', parser: { syntax: 'typescript' } } });
        writeFileSync(join(to, file.replace(/\.ts$/, '.js')), code);
      }
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('does not keep the process alive, before or after a read', () => {
    const file = join(dir, 'book.xlsx');
    writeFileSync(file, xlsxOf([{ name: 'Feuille', aoa: [['a', 1]] }]));
    const script = `
      const reader = require(${JSON.stringify(join(dir, 'import', 'read', 'xlsx.reader.js'))});
      const { readUploadedFile } = require(${JSON.stringify(join(dir, 'import', 'read', 'read-file.js'))});
      const alive = setInterval(() => undefined, 1000);
      reader.keepSpareWorker().then(async () => {
        clearInterval(alive);
        const stats = {};
        const result = await reader.refillSparesAfter(() => reader.readSpreadsheetInWorker(require('fs').readFileSync(${JSON.stringify(file)}), {}, stats));
        console.log(JSON.stringify({ spare: stats.spare, rows: result.sheets[0].rows.length, waiting: reader.hasSpareWorker() }));
        // Nothing else to do: the process must end although a new spare waits.
      });
    `;
    const started = Date.now();
    const run = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') }, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ spare: true, rows: 1, waiting: true });
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
