import type { SheetGrid } from '../../../import/common/model';
import { packSheet, unpackSheet } from '../../../import/read/grid-transfer';
import { listOdsTables, parseTagAttributes, unescapeXml } from '../../../import/read/ods-hidden';
import { sheetToGrid, toCell, WORKBOOK_LIMITS, workbookToGrid, workbookToPacked, WorkbookTooComplexError } from '../../../import/read/xlsx.grid';

describe('xlsx.grid: library cells → Cell', () => {
  it('maps each library type', () => {
    expect(toCell({ t: 'n', v: 12.5, w: '12.50', z: '0.00' }, 'xlsx')).toEqual({
      kind: 'number',
      value: 12.5,
      text: '12.50',
      format: '0.00',
    });
    expect(toCell({ t: 'n', v: 3, w: '3', z: 'General' }, 'xlsx')).toEqual({ kind: 'number', value: 3 });
    expect(toCell({ t: 's', v: 'Douai', w: 'Douai' }, 'xlsx')).toEqual({ kind: 'string', value: 'Douai' });
    expect(toCell({ t: 'b', v: false, w: 'FALSE' }, 'xlsx')).toEqual({ kind: 'boolean', value: false, text: 'FALSE' });
    expect(toCell({ t: 'e', v: 0x07, w: '#DIV/0!', f: 'A1/0' }, 'xlsx')).toEqual({
      kind: 'error',
      value: '#DIV/0!',
      formula: 'A1/0',
    });
    expect(toCell({ t: 'e', v: 0x2a }, 'xlsx')).toEqual({ kind: 'error', value: '#N/A' });
    expect(toCell({ t: 'd', v: new Date(Date.UTC(2023, 2, 15)) }, 'xlsx')).toEqual({ kind: 'number', value: 45000 });
    expect(toCell({ t: 'z' }, 'xlsx')).toBeNull();
    expect(toCell({ t: 's', v: '' }, 'xlsx')).toBeNull();
    expect(toCell({ t: 's', v: '', f: 'IF(A1>0;"";"x")' }, 'xlsx')).toEqual({ kind: 'string', value: '', formula: 'IF(A1>0;"";"x")' });
    expect(toCell({ t: 'n', v: Number.NaN }, 'xlsx')).toBeNull();
    expect(toCell({ t: 'n', v: 1, f: '=A1' }, 'xlsx')).toEqual({ kind: 'number', value: 1, formula: 'A1' });
    expect(toCell(null, 'xlsx')).toBeNull();
    expect(toCell('A1', 'xlsx')).toBeNull();
  });

  it('reads LibreOffice error texts of ods formula cells as errors', () => {
    expect(toCell({ t: 's', v: '#DIV/0!', f: 'A1/0' }, 'ods')).toEqual({ kind: 'error', value: '#DIV/0!', formula: 'A1/0' });
    expect(toCell({ t: 's', v: 'Err:502', f: 'SQRT(-1)' }, 'ods')).toMatchObject({ kind: 'error', value: 'Err:502' });
    // the same text typed by hand stays text
    expect(toCell({ t: 's', v: '#DIV/0!' }, 'ods')).toEqual({ kind: 'string', value: '#DIV/0!' });
  });

  it('reads own properties only, so a polluted Object.prototype cannot invent formulas or formats', () => {
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.f = 'HYPERLINK("http://evil")';
      proto.z = 'evil';
      proto.w = 'evil';
      expect(toCell({ t: 'n', v: 1 }, 'xlsx')).toEqual({ kind: 'number', value: 1 });
      const grid = sheetToGrid('F', Object.assign([[{ t: 's', v: 'a' }]], { '!merges': [] }), 'xlsx');
      expect(grid.rows).toEqual([[{ kind: 'string', value: 'a' }]]);
    } finally {
      delete proto.f;
      delete proto.z;
      delete proto.w;
    }
  });

  it('builds the extent from the cells present, dense or sparse, whatever `!ref` says', () => {
    const dense: unknown[] = [];
    dense[0] = [{ t: 's', v: 'a' }];
    dense[3] = [undefined, { t: 'z' }, { t: 'n', v: 2 }];
    dense[900_000] = [{ t: 'z' }]; // a formatted empty row far down
    Object.assign(dense, { '!ref': 'A1:XFD1048576', '!merges': [{ s: { r: 0, c: 0 }, e: { r: 1, c: 3 } }, { bad: true }] });
    const grid = sheetToGrid('Dense', dense, 'xlsx');
    expect(grid.rows).toEqual([[{ kind: 'string', value: 'a' }], [], [], [null, null, { kind: 'number', value: 2 }]]);
    expect(grid.merges).toEqual([{ startRow: 0, startCol: 0, endRow: 1, endCol: 3 }]);

    const sparse = { '!ref': 'A1:N1048576', A1: { t: 's', v: 'x' }, C2: { t: 'n', v: 5 }, B2: { t: 'z' }, AA1: { t: 'b', v: true } };
    const sparseGrid = sheetToGrid('Sparse', sparse, 'xlsx');
    expect(sparseGrid.rows).toHaveLength(2);
    expect(sparseGrid.rows[0]).toHaveLength(27);
    expect(sparseGrid.rows[1]).toEqual([null, null, { kind: 'number', value: 5 }]);
  });

  it('skips hidden sheets (xlsx flags), keeps order, frees each converted sheet', () => {
    const wb = {
      SheetNames: ['A', 'B', 'C'],
      Sheets: { A: [[{ t: 'n', v: 1 }]], B: [[{ t: 'n', v: 2 }]], C: [[{ t: 'n', v: 3 }]] },
      Workbook: { Sheets: [{ Hidden: 0 }, { Hidden: 2 }, {}] },
    };
    const grid = workbookToGrid(wb, 'xlsx');
    expect(grid.sheets.map((s) => s.name)).toEqual(['A', 'C']);
    expect(grid.skippedSheets).toEqual([{ name: 'B', reason: 'hidden' }]);
    expect(wb.Sheets).toEqual({});
    expect(() => workbookToGrid({ SheetNames: [], Sheets: {} }, 'xlsx')).toThrow(/without sheets/);
  });

  it('takes ods sheet names and hidden flags from content.xml', () => {
    const wb = { SheetNames: ['R&amp;D', 'Cachée'], Sheets: { 'R&amp;D': [[{ t: 's', v: 'x' }]], Cachée: [] } };
    const grid = workbookToGrid(wb, 'ods', [
      { name: 'R&D', hidden: false },
      { name: 'Cachée', hidden: true },
    ]);
    expect(grid.sheets.map((s) => s.name)).toEqual(['R&D']);
    expect(grid.skippedSheets).toEqual([{ name: 'Cachée', reason: 'hidden' }]);
  });
});

describe('grid-transfer: packed sheets', () => {
  const sheet: SheetGrid = {
    name: 'Programmation 2023',
    merges: [{ startRow: 0, startCol: 0, endRow: 0, endCol: 2 }],
    rows: [
      [{ kind: 'string', value: 'Réf.' }, null, { kind: 'string', value: 'Coût', text: 'Coût ' }],
      [],
      [
        { kind: 'number', value: 1500.25, format: '#,##0.00 "€"', text: '1,500.25 €' },
        { kind: 'boolean', value: true },
        { kind: 'error', value: '#DIV/0!', formula: 'A3/0' },
        { kind: 'number', value: 45000, format: 'dd/mm/yyyy' },
        { kind: 'number', value: 1500.25, format: '#,##0.00 "€"', formula: 'SUM(A3)' },
      ],
    ],
  };

  it('round-trips every kind of cell', () => {
    const packed = packSheet(sheet);
    expect(packed.formatTable).toEqual(['#,##0.00 "€"', 'dd/mm/yyyy']);
    expect(unpackSheet(structuredClone(packed))).toEqual(sheet);
  });

  it('refuses inconsistent packs', () => {
    const packed = packSheet(sheet);
    expect(() => unpackSheet({ ...packed, strings: [] })).toThrow(/missing string/);
    expect(() => unpackSheet({ ...packed, rowEnds: Int32Array.from([3, 2, 99]) })).toThrow(/bad row end/);
    expect(() => unpackSheet({ ...packed, tags: Uint8Array.from(packed.tags).fill(7) })).toThrow(/bad kind/);
    expect(() => unpackSheet({ ...packed, formatIds: Int32Array.from([5, 0, 0]) })).toThrow(/bad format id/);
    expect(() => unpackSheet({ ...packed, numbers: [1, 2] as unknown as Float64Array })).toThrow(/bad shape/);
    expect(() => unpackSheet({ ...packed, merges: [{ startRow: -1 }] as never })).toThrow(/bad merge/);
  });
});

describe('ods-hidden', () => {
  it('parses tag attributes and XML entities without regular expressions', () => {
    expect(parseTagAttributes(`<table:table table:name="R&amp;D &lt;2&gt;" table:style-name='ta1' table:print="false">`)).toEqual({
      'table:name': 'R&D <2>',
      'table:style-name': 'ta1',
      'table:print': 'false',
    });
    expect(unescapeXml('&#233;t&#xE9; &unknown; &amp')).toBe('été &unknown; &amp');
  });

  it('lists tables in order with their hidden flag', () => {
    const xml = Buffer.from(
      '<office:document-content><office:automatic-styles>' +
        '<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>' +
        '<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>' +
        '<style:style style:name="ce1" style:family="table-cell"><style:table-properties table:display="false"/></style:style>' +
        '<style:style style:name="ro1" style:family="table-row"/>' +
        '</office:automatic-styles><office:body><office:spreadsheet>' +
        '<table:table table:name="Visible" table:style-name="ta1"><table:table-column/><table:table-row><table:table-cell/></table:table-row></table:table>' +
        '<table:table table:name="Masquée" table:style-name="ta2"><table:table-row/></table:table>' +
        '<table:table table:name="Sans style"></table:table>' +
        '</office:spreadsheet></office:body></office:document-content>',
    );
    expect(listOdsTables(xml)).toEqual([
      { name: 'Visible', hidden: false },
      { name: 'Masquée', hidden: true },
      { name: 'Sans style', hidden: false },
    ]);
  });

  it('is linear on a huge content.xml', () => {
    const rows = '<table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row>'.repeat(200_000);
    const xml = Buffer.from(`<table:table table:name="T">${rows}</table:table>`);
    const started = Date.now();
    expect(listOdsTables(xml)).toEqual([{ name: 'T', hidden: false }]);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('workbookToPacked: the workbook limits', () => {
  /** A dense library workbook: `rows` rows of `width` number cells in each of two sheets. */
  const book = (rows: number, width: number) => {
    const sheet = () => Array.from({ length: rows }, () => Array.from({ length: width }, () => ({ t: 'n', v: 1 })));
    return { SheetNames: ['A', 'B'], Sheets: { A: sheet(), B: sheet() }, Workbook: { Sheets: [{ Hidden: 0 }, { Hidden: 0 }] } };
  };

  it('packs a workbook within the limits, counted over all its sheets', () => {
    const packed = workbookToPacked(book(5, 2), 'xlsx', undefined, { maxRows: 10, maxCells: 20 });
    expect(packed.sheets.map((sheet) => sheet.name)).toEqual(['A', 'B']);
  });

  it('refuses more rows than the limit, empty rows not counted', () => {
    expect(() => workbookToPacked(book(6, 1), 'xlsx', undefined, { maxRows: 11, maxCells: 100 })).toThrow(WorkbookTooComplexError);
    const gappy = { SheetNames: ['A'], Sheets: { A: [[{ t: 'n', v: 1 }], [], [], [{ t: 'n', v: 2 }]] } };
    expect(workbookToPacked(gappy, 'xlsx', undefined, { maxRows: 2, maxCells: 100 }).sheets).toHaveLength(1);
  });

  it('refuses more cells than the limit', () => {
    expect(() => workbookToPacked(book(2, 6), 'xlsx', undefined, { maxRows: 100, maxCells: 23 })).toThrow(WorkbookTooComplexError);
  });

  it('has the limits the README states', () => {
    expect(WORKBOOK_LIMITS).toEqual({ maxRows: 500_000, maxCells: 4_000_000 });
  });
});
