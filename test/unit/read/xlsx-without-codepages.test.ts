/**
 * The import workers load xlsx without its legacy codepage tables (src/kernel/xlsx-library.ts, which the
 * server's workbook writers use too): three quarters of a worker's start. Every spreadsheet fixture must read the same as with the whole library,
 * which this process has (Jest's own require does not go through the workers' loader).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { readSpreadsheetInWorker, unpackSpreadsheet } from '../../../import/read/xlsx.reader';
import { parseInWorker } from '../../../import/read/xlsx.worker';

const ROOT = join(__dirname, '..', '..', '..');
const FOLDERS = [join(ROOT, 'test', 'fixtures'), join(ROOT, '..', 'shared', 'fixtures')];

function spreadsheetsUnder(folder: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return spreadsheetsUnder(path);
    return ['.xlsx', '.ods'].includes(extname(name)) && statSync(path).size < 2_000_000 ? [path] : [];
  });
}

const files = FOLDERS.flatMap(spreadsheetsUnder);

describe('xlsx without its codepage tables, in the workers', () => {
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files.map((path) => [path.slice(ROOT.length - 4), path]))('reads %s as the whole library does', async (_name, path) => {
    const bytes = readFileSync(path);
    const format = extname(path) === '.ods' ? 'ods' : 'xlsx';
    const inProcess = parseInWorker({ buffer: new Uint8Array(bytes).buffer, format });
    if (!inProcess.ok) {
      await expect(readSpreadsheetInWorker(bytes)).rejects.toMatchObject({ code: inProcess.code });
      return;
    }
    const expected = unpackSpreadsheet({ format, bands: [inProcess.workbook], firstRows: null });
    expect(await readSpreadsheetInWorker(bytes, { parallelParts: 1 })).toEqual(expected);
  });
});
