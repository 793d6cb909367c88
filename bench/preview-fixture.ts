import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataSource } from '../src/db/data-source';
import { closeSpareWorker, keepSpareWorker } from '../import/read/read-file';
import { previewImport } from '../src/import-batch/import-preview.service';
import { seedReferenceData } from '../src/seed/seed.service';

/** A full preview (read in the worker, parse, resolve, check, store) on a fresh seeded SQLite database. */
export async function previewOnDatabase(buffer: Buffer, fileName: string): Promise<{ seconds: number; detail: string; status: string; lines: number; errors: number; firstError: string | null }> {
  const dataSource = await openDataSource({ type: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'crte-bench-db-')), 'bench.sqlite') });
  await dataSource.runMigrations();
  await seedReferenceData(dataSource);
  // As the server does at start-up: a worker is ready, with xlsx loaded, for the next file.
  // The waiting spare does not keep a process alive: this timer does, until it is ready.
  const alive = setInterval(() => undefined, 1000);
  await keepSpareWorker();
  clearInterval(alive);
  const started = process.hrtime.bigint();
  const result = await previewImport(dataSource, { buffer, fileName, kind: 'annex3' as never, source: 'Banque des Territoires' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await closeSpareWorker();
  await dataSource.destroy();
  const firstError = result.issues.find((issue) => issue.severity === 'ERROR');
  return {
    seconds,
    detail: `${result.counts.lines} lines, ${result.counts.errors} errors, ${result.counts.warnings} warnings, total ${result.total} €`,
    status: result.status,
    lines: result.counts.lines,
    errors: result.counts.errors,
    firstError: firstError ? `${firstError.code}: ${firstError.message}` : null,
  };
}
