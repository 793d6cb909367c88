/**
 * A large xlsx is parsed in bands by two workers at once (xlsx.split.ts): the joined grid must be exactly
 * the grid of the whole parse, and a file that cannot be cut safely must be parsed whole.
 */
import * as XLSX from 'xlsx';
import { closeSpareWorker, readSpreadsheetInWorker, type WorkerReadOptions, type WorkerRunStats } from '../../../import/read/xlsx.reader';
import { countRowsWithValues, cutBand, joinSplitGrids, worksheetToSplit } from '../../../import/read/xlsx.split';
import { extractZipEntry, inspectZip } from '../../../import/read/zip-inspect';
import type { WorkbookGrid } from '../../../import/common/model';
import { WORKBOOK_LIMITS } from '../../../import/read/xlsx.grid';
import { bigAoa, patchZip, readErrorOf, unzip, xlsxOf, type SheetSpec } from './read-helpers';

/** Split even small sheets, so that the tests stay fast. */
const SPLIT: WorkerReadOptions = { parallelParts: 2, splitMinSheetBytes: 1 };
const WHOLE: WorkerReadOptions = { parallelParts: 1 };

afterAll(() => closeSpareWorker());

async function bothWays(file: Buffer): Promise<{ split: WorkbookGrid; whole: WorkbookGrid; parts: number | undefined }> {
  const stats: WorkerRunStats = { totalMs: 0 };
  const split = await readSpreadsheetInWorker(file, SPLIT, stats);
  const whole = await readSpreadsheetInWorker(file, WHOLE);
  return { split, whole, parts: stats.parts };
}

/** A realistic workbook: a big sheet with merges, formats and formulas, a small sheet, a hidden one. */
function mixedWorkbook(rows: number): SheetSpec[] {
  const aoa = bigAoa(rows, 8);
  // Empty rows in the middle and at the end of the band boundaries, a date, a boolean, an error.
  for (let r = Math.floor(rows / 2) - 3; r < Math.floor(rows / 2) + 3; r++) aoa[r] = [];
  aoa[5][2] = true;
  aoa.push([], [], ['TOTAL', 123.45]);
  return [
    {
      name: 'Programmation',
      aoa,
      merges: [{ s: { r: 0, c: 0 }, e: { r: 0, c: 1 } }, { s: { r: rows - 2, c: 3 }, e: { r: rows, c: 3 } }],
      edit: (ws) => {
        ws['B3'] = { t: 'n', v: 45000, z: 'dd/mm/yyyy' };
        ws['C4'] = { t: 'n', v: 1234.5, z: '#,##0.00 "€"' };
        ws['D7'] = { t: 'e', v: 0x07 };
        ws[`E${rows - 1}`] = { t: 'n', v: 12, f: 'SUM(E2:E3)' };
        ws['F2'] = { t: 'n', v: 3, f: 'A1+1' };
      },
    },
    { name: 'Notes', aoa: [['Remarque'], ['Voir la ligne 12']] },
    { name: 'Masquée', aoa: [['secret', 1]], hidden: 1 },
  ];
}

describe('reading a large sheet in two bands', () => {
  it('gives exactly the grid of the whole parse, for a deflated workbook with shared strings', async () => {
    const file = xlsxOf(mixedWorkbook(3000));
    const { split, whole, parts } = await bothWays(file);
    expect(parts).toBe(2);
    expect(split).toEqual(whole);
    expect(split.sheets.map((sheet) => sheet.name)).toEqual(['Programmation', 'Notes']);
    expect(split.skippedSheets).toEqual([{ name: 'Masquée', reason: 'hidden' }]);
    expect(split.sheets[0].rows.length).toBe(3004);
  });

  it('gives exactly the grid of the whole parse, for a stored workbook with inline strings', async () => {
    const { split, whole, parts } = await bothWays(xlsxOf(mixedWorkbook(2000), 'xlsx', false));
    expect(parts).toBe(2);
    expect(split).toEqual(whole);
  });

  it('parses whole a sheet with shared formulas (their text is in another cell)', async () => {
    const file = patchZip(xlsxOf(mixedWorkbook(500)), (name, text) =>
      name.endsWith('sheet1.xml') ? text.replace('<f>SUM(E2:E3)</f>', '<f t="shared" ref="E499:E500" si="0">SUM(E2:E3)</f>') : undefined,
    );
    const { split, whole, parts } = await bothWays(file);
    expect(parts).toBe(1);
    expect(split).toEqual(whole);
  });

  it('parses whole a sheet whose rows have no number, or are out of order', async () => {
    const unnumbered = patchZip(xlsxOf(mixedWorkbook(400)), (name, text) =>
      name.endsWith('sheet1.xml') ? text.replace(/<row r="300"/, '<row') : undefined,
    );
    const reordered = patchZip(xlsxOf(mixedWorkbook(400)), (name, text) =>
      name.endsWith('sheet1.xml') ? text.replace(/<row r="350"/, '<row r="10"') : undefined,
    );
    for (const file of [unnumbered, reordered]) {
      const { split, whole, parts } = await bothWays(file);
      expect(parts).toBe(1);
      expect(split).toEqual(whole);
    }
  });

  it('holds the workbook limits over the bands together, before rebuilding their rows', async () => {
    // Each worker holds the limits on its own band; the main thread on their sum (here lowered in this
    // thread only: the workers keep 500 000 rows and pass each half).
    const saved = { ...WORKBOOK_LIMITS };
    WORKBOOK_LIMITS.maxRows = 2500;
    try {
      const error = await readErrorOf(() => readSpreadsheetInWorker(xlsxOf(mixedWorkbook(3000)), SPLIT));
      expect(error.code).toBe('FILE_TOO_COMPLEX');
    } finally {
      Object.assign(WORKBOOK_LIMITS, saved);
    }
    const stats: WorkerRunStats = { totalMs: 0 };
    await readSpreadsheetInWorker(xlsxOf(mixedWorkbook(2000)), SPLIT, stats);
    expect(stats.parts).toBe(2);
  });

  it('does not split small sheets by default, nor ods files', async () => {
    const stats: WorkerRunStats = { totalMs: 0 };
    await readSpreadsheetInWorker(xlsxOf(mixedWorkbook(300)), { parallelParts: 2 }, stats);
    expect(stats.parts).toBeUndefined();
    const ods = xlsxOf(mixedWorkbook(300), 'ods');
    const odsStats: WorkerRunStats = { totalMs: 0 };
    await readSpreadsheetInWorker(ods, SPLIT, odsStats);
    expect(odsStats.parts).toBeUndefined();
  });
});

describe('cutBand (pure)', () => {
  const file = xlsxOf(mixedWorkbook(1000), 'xlsx', false);
  const inspection = inspectZip(file);
  const sheet = worksheetToSplit(inspection, 2, 1)!;
  const xml = extractZipEntry(file, sheet, sheet.uncompressedSize);

  it('cuts at a row tag, each band a complete workbook with the sheet head and tail', () => {
    const first = cutBand(file, inspection.entries, sheet, xml, 0, 2)!;
    const second = cutBand(file, inspection.entries, sheet, xml, 1, 2)!;
    expect(first.firstRows).toEqual(second.firstRows);
    const [, cut] = first.firstRows;
    expect(cut).toBeGreaterThan(300);
    expect(cut).toBeLessThan(700);
    const sheetOf = (band: Buffer) => unzip(band).find((entry) => entry.name === sheet.name)!.data.toString('utf8');
    const a = sheetOf(first.bytes);
    const b = sheetOf(second.bytes);
    for (const text of [a, b]) {
      expect(text).toMatch(/^<\?xml[\s\S]*<sheetData>/);
      expect(text).toMatch(/<\/sheetData><mergeCells[\s\S]*<\/worksheet>$/);
    }
    expect(a).toContain('<row r="1"');
    expect(a).not.toContain(`<row r="${cut + 1}"`);
    expect(b).toContain(`<sheetData><row r="${cut + 1}"`);
    expect(b).not.toContain('<row r="1"');
    // The other entries are the same bytes, stored.
    const names = (zip: Buffer) => unzip(zip).map((entry) => entry.name);
    expect(names(first.bytes)).toEqual(names(file));
    expect(inspectZip(first.bytes).entries.every((entry) => entry.method === 0)).toBe(true);
    // xlsx reads each band as a workbook of its own.
    expect(XLSX.read(second.bytes, { type: 'buffer', dense: true }).SheetNames).toEqual(['Programmation', 'Notes', 'Masquée']);
  });

  it('refuses what it cannot cut safely', () => {
    const without = (text: string) => cutBand(file, inspection.entries, sheet, Buffer.from(text), 0, 2);
    expect(without(xml.toString('utf8').replace('<sheetData>', '<x:sheetData>'))).toBeNull();
    expect(without(xml.toString('utf8').replace('<row r="400"', '<row'))).toBeNull();
    expect(without(xml.toString('utf8').replace('<f>', '<f t="array" ref="A1:A2">'))).toBeNull();
    expect(cutBand(file, inspection.entries, sheet, xml, 2, 2)).toBeNull();
    expect(cutBand(file, inspection.entries, sheet, xml, 0, 1)).toBeNull();
  });

  it('joins bands by their first rows, dropping trailing empty rows', () => {
    const cell = (value: string) => ({ kind: 'string' as const, value });
    const band0: WorkbookGrid = { format: 'xlsx', skippedSheets: [], sheets: [{ name: 'S', merges: [], rows: [[cell('a')], [cell('b')]] }] };
    const band1: WorkbookGrid = { format: 'xlsx', skippedSheets: [], sheets: [{ name: 'S', merges: [], rows: [[], [], [], [cell('d')], []] }] };
    expect(joinSplitGrids([band0, band1], [0, 2]).sheets[0].rows).toEqual([[cell('a')], [cell('b')], [], [cell('d')]]);
    expect(() => joinSplitGrids([band0, { ...band1, sheets: [] }], [0, 2])).toThrow(/disagree/);
  });
});

describe('rows with a value, counted before any parse (a million rows refused in a second)', () => {
  const rowsOf = (xml: Buffer) => [...xml.toString('latin1').matchAll(/<row /g)].map((match) => ({ offset: match.index! }));

  it('counts a row when one of its cells has a written value or inline text; stubs and empty values are not', () => {
    const xml = Buffer.from(
      '<sheetData>' +
        '<row r="1"><c r="A1"><v>12</v></c></row>' + // a number
        '<row r="2"><c r="A2" s="3"/><c r="B2" s="3"/></row>' + // styled stubs only
        '<row r="3"><c r="A3" t="inlineStr"><is><t xml:space="preserve"> x</t></is></c></row>' + // inline text
        '<row r="4"><c r="A4"><v></v></c><c r="B4" t="inlineStr"><is><t/></is></c><c r="C4" t="inlineStr"><is><t></t></is></c></row>' + // empty
        '<row r="5"><c r="A5" t="s"><v>0</v></c><c r="B5"><v>1</v></c></row>' + // two values, one row
        '</sheetData><tableParts count="0"/>',
    );
    const rows = rowsOf(xml);
    expect(rows).toHaveLength(5);
    expect(countRowsWithValues(xml, rows, xml.indexOf('</sheetData>'), Infinity)).toBe(3);
    // It stops once the bound is passed.
    expect(countRowsWithValues(xml, rows, xml.indexOf('</sheetData>'), 1)).toBe(1);
  });

  it('cutBand refuses a sheet of more rows with a value than the limit, not one of as many empty rows', () => {
    const file = xlsxOf(mixedWorkbook(1000), 'xlsx', false);
    const inspection = inspectZip(file);
    const sheet = worksheetToSplit(inspection, 2, 1)!;
    const xml = extractZipEntry(file, sheet, sheet.uncompressedSize);
    expect(cutBand(file, inspection.entries, sheet, xml, 0, 2, 500)).toEqual({ tooManyRows: 501 });
    expect(cutBand(file, inspection.entries, sheet, xml, 1, 2, 5000)).toMatchObject({ firstRows: [0, expect.any(Number)] });

    // 1 000 rows of styled stubs: as many row tags, no value: cut as usual (the parse counts no filled row).
    const stubs = Buffer.from(`<worksheet><sheetData>${Array.from({ length: 1000 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" s="1"/></row>`).join('')}</sheetData></worksheet>`);
    expect(countRowsWithValues(stubs, rowsOf(stubs), stubs.indexOf('</sheetData>'), 501)).toBe(0);
  });
});
