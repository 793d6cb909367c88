import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as XLSX from 'xlsx';
import type { Cell, SheetGrid } from '../../../import/common/model';
import { isBuildFresh, readSpreadsheetInWorker, resolveWorkerScript } from '../../../import/read/xlsx.reader';
import {
  bigAoa,
  bigXlsx,
  buildZip,
  FIXTURES,
  isPlainData,
  patchZip,
  prototypeFingerprint,
  readErrorOf,
  unzip,
  xlsxOf,
} from './read-helpers';

const FINGERPRINT = prototypeFingerprint();

afterEach(() => {
  // Whatever a file holds, reading it must not touch the built-in prototypes of this process.
  expect(prototypeFingerprint()).toBe(FINGERPRINT);
});

function value(sheet: SheetGrid, address: string): Cell | null {
  const { r, c } = XLSX.utils.decode_cell(address);
  return sheet.rows[r]?.[c] ?? null;
}

describe('xlsx reader (worker)', () => {
  it('runs the worker from the build when it is newer than the sources under jest, else from the sources', () => {
    const script = resolveWorkerScript();
    if (script.eval) expect(script.extraData.entry).toMatch(/xlsx\.worker\.ts$/);
    else expect(script.script).toMatch(/dist[\\/]import[\\/]read[\\/]xlsx\.worker\.js$/);

    const root = mkdtempSync(join(tmpdir(), 'crte-build-'));
    try {
      for (const folder of ['import/read', 'src/kernel', 'dist/import/read']) mkdirSync(join(root, folder), { recursive: true });
      const built = join(root, 'dist/import/read/xlsx.worker.js');
      const at = (path: string, seconds: number) => {
        writeFileSync(path, '');
        utimesSync(path, seconds, seconds);
      };
      at(join(root, 'import/read/xlsx.worker.ts'), 1000);
      at(join(root, 'src/kernel/money.ts'), 1000);
      at(built, 2000);
      expect(isBuildFresh(root, built)).toBe(true);
      // A kernel source edited after the build: the worker runs from the sources.
      at(join(root, 'src/kernel/money.ts'), 3000);
      expect(isBuildFresh(root, built)).toBe(false);
      expect(isBuildFresh(root, join(root, 'dist/import/read/missing.js'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads every visible sheet in order and skips hidden and very hidden ones', async () => {
    const file = xlsxOf([
      { name: 'Programmation', aoa: [['N° action', 'Montant'], ['DA-01', 1000]] },
      { name: 'Cachée', aoa: [['secret']], hidden: 1 },
      { name: 'Très cachée', aoa: [['secret']], hidden: 2 },
      { name: 'Listes', aoa: [['Prêt'], ['Subvention']] },
    ]);
    const result = await readSpreadsheetInWorker(file);
    expect(result.format).toBe('xlsx');
    expect(result.sheets.map((s) => s.name)).toEqual(['Programmation', 'Listes']);
    expect(result.skippedSheets).toEqual([
      { name: 'Cachée', reason: 'hidden' },
      { name: 'Très cachée', reason: 'hidden' },
    ]);
    expect(result.issues.map((i) => [i.code, i.severity, i.sheet])).toEqual([
      ['SHEET_HIDDEN_SKIPPED', 'WARNING', 'Cachée'],
      ['SHEET_HIDDEN_SKIPPED', 'WARNING', 'Très cachée'],
    ]);
    expect(result.issues[0].message).toMatch(/L'onglet « Cachée » est masqué/);
    expect(result.sheets[0].rows).toEqual([
      [
        { kind: 'string', value: 'N° action' },
        { kind: 'string', value: 'Montant' },
      ],
      [
        { kind: 'string', value: 'DA-01' },
        { kind: 'number', value: 1000 },
      ],
    ]);
    expect(result.csv).toBeUndefined();
  });

  it('keeps merges, formulas with their cached values, error values, booleans and number formats', async () => {
    const file = xlsxOf([
      {
        name: 'Montants',
        aoa: [
          ['Présentation de l’action', null, null, 'Montants'],
          ['Réf.', 'Coût', 'Part', 'Date', 'Total', 'Ratio', 'Éligible'],
          ['DA-01', 1500, 0, 45000, null, null, true],
        ],
        merges: [
          { s: { r: 0, c: 0 }, e: { r: 0, c: 2 } },
          { s: { r: 0, c: 3 }, e: { r: 0, c: 6 } },
        ],
        edit: (ws) => {
          ws['B3'].z = '#,##0.00 "€"';
          ws['D3'].z = 'dd/mm/yyyy';
          ws['E3'] = { t: 'n', v: 1500, f: 'SUM(B3:C3)' };
          ws['F3'] = { t: 'e', v: 0x07, f: 'B3/C3', w: '#DIV/0!' };
        },
      },
    ]);
    const [sheet] = (await readSpreadsheetInWorker(file)).sheets;
    expect(sheet.merges).toEqual([
      { startRow: 0, startCol: 0, endRow: 0, endCol: 2 },
      { startRow: 0, startCol: 3, endRow: 0, endCol: 6 },
    ]);
    expect(value(sheet, 'B1')).toBeNull();
    expect(value(sheet, 'B3')).toMatchObject({ kind: 'number', value: 1500, format: '#,##0.00 "€"' });
    expect(value(sheet, 'D3')).toEqual({ kind: 'number', value: 45000, format: 'dd/mm/yyyy', text: '15/03/2023' });
    expect(value(sheet, 'E3')).toEqual({ kind: 'number', value: 1500, formula: 'SUM(B3:C3)' });
    expect(value(sheet, 'F3')).toEqual({ kind: 'error', value: '#DIV/0!', formula: 'B3/C3' });
    expect(value(sheet, 'G3')).toEqual({ kind: 'boolean', value: true, text: 'TRUE' });
    expect(value(sheet, 'C3')).toEqual({ kind: 'number', value: 0 });
  });

  it('gives a sheet whose dimension claims A1:N1048576 only its real rows, quickly', async () => {
    const aoa = bigAoa(11, 14); // header + 11 rows = 12 rows
    const honest = xlsxOf([{ name: 'Programmation 2023', aoa }]);
    const claiming = patchZip(honest, (name, text) =>
      name === 'xl/worksheets/sheet1.xml'
        ? text
            .replace(/<dimension ref="[^"]*"\/>/, '<dimension ref="A1:N1048576"/>')
            // Excel also writes empty formatted rows down to the last row it has ever touched
            .replace('</sheetData>', '<row r="500000" spans="1:14" ht="15" customHeight="1"/><row r="1048576" spans="1:14" s="0" customFormat="1"/></sheetData>')
        : undefined,
    );
    expect(unzip(claiming).find((e) => e.name === 'xl/worksheets/sheet1.xml')!.data.toString()).toContain('A1:N1048576');
    const started = Date.now();
    const [sheet] = (await readSpreadsheetInWorker(claiming)).sheets;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(sheet.rows).toHaveLength(12);
    expect(Math.max(...sheet.rows.map((r) => r.length))).toBe(14);
    expect(value(sheet, 'N12')).toEqual({ kind: 'number', value: 1113.5 });
  });

  it('keeps empty rows in the middle as empty arrays and trims each row at its last cell', async () => {
    const file = xlsxOf([{ name: 'F', aoa: [['a'], [], [null, null, 'c', null], []] }]);
    const [sheet] = (await readSpreadsheetInWorker(file)).sheets;
    expect(sheet.rows).toEqual([[{ kind: 'string', value: 'a' }], [], [null, null, { kind: 'string', value: 'c' }]]);
  });

  it('reads an ods file, its merges, and skips its hidden sheets (declared by table style)', async () => {
    const ods = xlsxOf(
      [
        { name: 'Dotations', aoa: [['Année', 'DETR'], [2021, 120000.5]], merges: [{ s: { r: 0, c: 0 }, e: { r: 0, c: 1 } }] },
        { name: 'Brouillon', aoa: [['ne pas lire']] },
        { name: 'R&D <2>', aoa: [['x']] },
      ],
      'ods',
    );
    const hidden = patchZip(ods, (name, text) => {
      if (name !== 'content.xml') return undefined;
      const style =
        '<style:style style:name="taHidden" style:family="table"><style:table-properties table:display="false"/></style:style>';
      expect(text).toContain('table:name="Brouillon" table:style-name="ta1"');
      return text
        .replace('</office:automatic-styles>', `${style}</office:automatic-styles>`)
        .replace('table:name="Brouillon" table:style-name="ta1"', 'table:name="Brouillon" table:style-name="taHidden"');
    });
    const result = await readSpreadsheetInWorker(hidden);
    expect(result.format).toBe('ods');
    expect(result.sheets.map((s) => s.name)).toEqual(['Dotations', 'R&D <2>']);
    expect(result.skippedSheets).toEqual([{ name: 'Brouillon', reason: 'hidden' }]);
    const [sheet] = result.sheets;
    expect(value(sheet, 'B2')).toMatchObject({ kind: 'number', value: 120000.5 });
    expect(sheet.merges).toEqual([{ startRow: 0, startCol: 0, endRow: 0, endCol: 1 }]);
  });

  it('gives an ods sheet with a million repeated empty rows only its real rows', async () => {
    const ods = xlsxOf([{ name: 'Liste', aoa: bigAoa(11, 14) }], 'ods');
    const padded = patchZip(ods, (name, text) =>
      name === 'content.xml'
        ? text.replace(
            '</table:table>',
            '<table:table-row table:style-name="ro1" table:number-rows-repeated="1048564">' +
              '<table:table-cell table:style-name="ce1" table:number-columns-repeated="1024"/></table:table-row></table:table>',
          )
        : undefined,
    );
    const started = Date.now();
    const [sheet] = (await readSpreadsheetInWorker(padded)).sheets;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(sheet.rows).toHaveLength(12);
  });

  it('contains a hostile sheet (a hyperlink over every cell of the sheet) within its limits', async () => {
    const hostile = patchZip(xlsxOf([{ name: 'F', aoa: [['a']] }]), (name, text) =>
      name === 'xl/worksheets/sheet1.xml'
        ? text.replace('</sheetData>', '</sheetData><hyperlinks><hyperlink ref="A1:XFD1048576" location="F!A1"/></hyperlinks>')
        : undefined,
    );
    const started = Date.now();
    const error = await readErrorOf(() => readSpreadsheetInWorker(hostile, { timeoutMs: 5000, maxOldGenerationSizeMb: 64 }));
    expect(['FILE_TOO_COMPLEX', 'FILE_TIMEOUT']).toContain(error.code);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses an encrypted ods, a docx and a plain zip before starting a worker', async () => {
    const docx = buildZip([{ name: 'word/document.xml', data: '<w:document/>' }]);
    expect((await readErrorOf(() => readSpreadsheetInWorker(docx))).code).toBe('FILE_NOT_SPREADSHEET');
    const encryptedOds = buildZip([
      { name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet', method: 0 },
      { name: 'content.xml', data: Buffer.alloc(100, 3) },
      { name: 'META-INF/manifest.xml', data: '<manifest:encryption-data/>' },
    ]);
    expect((await readErrorOf(() => readSpreadsheetInWorker(encryptedOds))).code).toBe('FILE_ENCRYPTED');
  });

  it('reports a workbook whose parts are garbage as corrupt', async () => {
    const garbage = buildZip([
      { name: '[Content_Types].xml', data: '<Types><Default Extension="xml" ContentType="application/xml"/></Types>' },
      { name: 'xl/workbook.xml', data: 'this is not xml <<<' },
    ]);
    const error = await readErrorOf(() => readSpreadsheetInWorker(garbage));
    expect(error.code).toBe('FILE_CORRUPT');
    expect(error.message).toMatch(/endommagé ou incomplet/);
  });

  it('terminates a worker that takes too long (FILE_TIMEOUT)', async () => {
    const file = bigXlsx(3000);
    const started = Date.now();
    const error = await readErrorOf(() => readSpreadsheetInWorker(file, { timeoutMs: 1 }));
    expect(error.code).toBe('FILE_TIMEOUT');
    expect(error.message).toMatch(/temps autorisé \(1 s\)/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a worker that runs out of memory as too complex (FILE_TOO_COMPLEX)', async () => {
    const file = bigXlsx(15_000);
    const error = await readErrorOf(() => readSpreadsheetInWorker(file, { maxOldGenerationSizeMb: 16 }));
    expect(error.code).toBe('FILE_TOO_COMPLEX');
    // and the same file reads fine with the default limits
    const result = await readSpreadsheetInWorker(file);
    expect(result.sheets[0].rows).toHaveLength(15_001);
  });

  it('runs several reads at once', async () => {
    const files = [1, 2, 3, 4].map((n) => xlsxOf([{ name: `F${n}`, aoa: [[n]] }]));
    const results = await Promise.all(files.map((f) => readSpreadsheetInWorker(f)));
    expect(results.map((r) => r.sheets[0].rows[0][0]!.value)).toEqual([1, 2, 3, 4]);
  });

  it('reads the Banque des Territoires fixture', async () => {
    const result = await readSpreadsheetInWorker(readFileSync(`${FIXTURES}/annexe3-banque-des-territoires-2023.xlsx`));
    expect(result.sheets.map((s) => s.name)).toEqual(['Programmation 2023', 'Listes']);
    const sheet = result.sheets[0];
    const labels = sheet.rows[3].map((c) => (c === null ? null : c.value));
    expect(labels).toContain('Statut ');
    expect(labels.slice(0, 2)).toEqual(['N° action', 'Intitulé de l\'action']);
    expect(sheet.merges.length).toBeGreaterThan(0);
    const totals = sheet.rows.flat().filter((c) => c?.formula?.startsWith('SUM('));
    expect(totals.length).toBeGreaterThan(0);
    expect(totals.every((c) => c!.kind === 'number')).toBe(true);
  });

  it('hands back plain data only', async () => {
    const result = await readSpreadsheetInWorker(
      xlsxOf([{ name: 'F', aoa: [['a', 1, true]], edit: (ws) => (ws['D1'] = { t: 'n', v: 2, f: 'B1*2', z: '0.00' }) }]),
    );
    expect(isPlainData(result)).toBe(true);
    expect(isPlainData({ a: [new Date()] })).toBe(false); // the check itself works
  });
});
