import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import * as XLSX from 'xlsx';
import { buildXlsx, csvField, neutraliseSpreadsheetFormula, parseTableFormat, sendTable, TableColumn, TableRow } from '../../../src/request/tabular';
import { HttpError } from '../../../src/request/http-error';

const COLUMNS: TableColumn[] = [
  { key: 'label', label: 'Libellé', type: 'text' },
  { key: 'year', label: 'Année', type: 'integer' },
  { key: 'rate', label: 'Taux', type: 'number' },
  { key: 'amount', label: 'Montant', type: 'decimal' },
  { key: 'approximate', label: 'Approx.', type: 'boolean' },
  { key: 'at', label: 'Le', type: 'datetime' },
];

const ROW: TableRow = { label: '=1+2', year: 2023, rate: 0.25, amount: '-1234.50', approximate: true, at: new Date('2026-01-31T12:00:00Z') };

describe('neutraliseSpreadsheetFormula', () => {
  it.each([
    ['=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'],
    ['+33 6 12', "'+33 6 12"],
    ['-2+3', "'-2+3"],
    ['@SUM(1)', "'@SUM(1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', "'\rcmd"],
  ])('prefixes %j', (text, expected) => expect(neutraliseSpreadsheetFormula(text)).toBe(expected));

  it.each(['Douai', 'a=b', '', ' =1', "l'eau", '1-2'])('leaves %j alone', (text) => expect(neutraliseSpreadsheetFormula(text)).toBe(text));
});

describe('csvField', () => {
  it('writes numbers as plain numbers, with a decimal comma in French, never neutralised', () => {
    expect(csvField('-1234.50', 'decimal', false)).toBe('-1234.50');
    expect(csvField('-1234.50', 'decimal', true)).toBe('-1234,50');
    expect(csvField('9999999999999.99', 'decimal', true)).toBe('9999999999999,99');
    expect(csvField(2023, 'integer', true)).toBe('2023');
    expect(csvField(-0.25, 'number', true)).toBe('-0,25');
    expect(csvField(1e-7, 'number', false)).toBe('0.0000001');
  });

  it('treats a "number" that is not one as text, so it cannot smuggle a formula', () => {
    expect(csvField('=1+2', 'decimal', false)).toBe("'=1+2");
    expect(csvField('-1+2', 'integer', true)).toBe("'-1+2");
    expect(csvField(Number.NaN, 'number', false)).toBe('');
  });

  it('neutralises and quotes text', () => {
    expect(csvField('=HYPERLINK("http://x","clic")', 'text', false)).toBe('"\'=HYPERLINK(""http://x"",""clic"")"');
    expect(csvField('a,b', 'text', false)).toBe('"a,b"');
    expect(csvField('a,b', 'text', true)).toBe('a,b');
    expect(csvField('a;b', 'text', true)).toBe('"a;b"');
    expect(csvField('ligne 1\nligne 2', 'text', false)).toBe('"ligne 1\nligne 2"');
    expect(csvField('-', 'text', false)).toBe("'-");
  });

  it('writes empty for null, booleans in words, dates in ISO 8601', () => {
    expect(csvField(null, 'decimal', true)).toBe('');
    expect(csvField(undefined, 'text', false)).toBe('');
    expect(csvField(true, 'boolean', false)).toBe('true');
    expect(csvField(false, 'boolean', true)).toBe('non');
    expect(csvField(new Date('2026-01-31T12:00:00Z'), 'datetime', true)).toBe('2026-01-31T12:00:00.000Z');
    expect(csvField('2026-01-31T12:00:00Z', 'datetime', false)).toBe('2026-01-31T12:00:00Z');
  });
});

describe('parseTableFormat', () => {
  it.each([
    ['csv', 'csv'],
    ['.XLSX', 'xlsx'],
    ['json', 'json'],
    ['pdf', null],
    ['', null],
  ])('%j → %j', (extension, format) => expect(parseTableFormat(extension)).toBe(format));
});

describe('buildXlsx', () => {
  it('writes typed cells: numbers, integers, booleans, dates; text as text, never a formula', () => {
    const buffer = buildXlsx(COLUMNS, [ROW, { label: 'x'.repeat(40_000), amount: null, year: null }], 'Feuille: [1]/2?');
    const workbook = XLSX.read(buffer, { type: 'buffer', cellNF: true });
    expect(workbook.SheetNames).toEqual(['Feuille   1  2']);
    const sheet = workbook.Sheets[workbook.SheetNames[0]];
    expect(['A1', 'B1', 'C1', 'D1', 'E1', 'F1'].map((a) => sheet[a].v)).toEqual(COLUMNS.map((c) => c.label));
    expect(sheet.A2).toMatchObject({ t: 's', v: '=1+2' });
    expect(sheet.A2.f).toBeUndefined();
    expect(sheet.B2).toMatchObject({ t: 'n', v: 2023 });
    expect(sheet.C2).toMatchObject({ t: 'n', v: 0.25 });
    expect(sheet.D2).toMatchObject({ t: 'n', v: -1234.5, z: '#,##0.00' });
    expect(sheet.E2).toMatchObject({ t: 'b', v: true });
    expect(sheet.F2.t).toBe('n');
    // Excel's serial date, UTC: 2026-01-31 12:00 is day 46053.5.
    expect(sheet.F2.v).toBeCloseTo(46053.5, 6);
    expect(sheet.A3.v).toHaveLength(32_767);
    expect(sheet.D3).toBeUndefined();
  });

  it('keeps every cent of large amounts (doubles are exact to the cent up to 2^53 cents)', () => {
    const amounts = ['9999999999999.99', '-0.01', '1046000.50', '0.10'];
    const workbook = XLSX.read(buildXlsx([COLUMNS[3]], amounts.map((amount) => ({ amount }))), { type: 'buffer' });
    const sheet = workbook.Sheets[workbook.SheetNames[0]];
    const back = amounts.map((_, i) => (BigInt(Math.round(sheet[`A${i + 2}`].v * 100)) as bigint).toString());
    expect(back).toEqual(['999999999999999', '-1', '104600050', '10']);
  });
});

/** Just enough of express's Response to watch what sendTable does, and to hold writes back. */
class FakeResponse extends EventEmitter {
  chunks: string[] = [];
  headers: Record<string, string> = {};
  statusCode = 0;
  ended = false;
  destroyed = false;
  writableEnded = false;
  headersSent = false;
  /** write() answers this: false means "full, wait for drain". */
  accept = true;

  attachment(name: string) {
    this.headers['content-disposition'] = `attachment; filename="${name}"`;
    return this;
  }
  type(value: string) {
    this.headers['content-type'] = value;
    return this;
  }
  set(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
    return this;
  }
  status(code: number) {
    this.statusCode = code;
    return this;
  }
  write(chunk: string) {
    this.headersSent = true;
    this.chunks.push(chunk);
    return this.accept;
  }
  send(body: Buffer) {
    this.chunks.push(body.toString('latin1'));
    this.end();
    return this;
  }
  end() {
    this.ended = this.writableEnded = this.headersSent = true;
    return this;
  }
  get body() {
    return this.chunks.join('');
  }
}

const asResponse = (fake: FakeResponse) => fake as unknown as Response;

describe('sendTable', () => {
  const manyRows = function* (count: number, counter: { pulled: number }) {
    for (let i = 0; i < count; i++) {
      counter.pulled++;
      yield { label: `Ligne ${i} ${'x'.repeat(100)}`, year: 2021, amount: `${i}.05` } as TableRow;
    }
  };

  it('plain CSV: header, CRLF, no BOM', async () => {
    const res = new FakeResponse();
    await sendTable(asResponse(res), 'csv', COLUMNS, [ROW], { fileName: 'a.csv' });
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="a.csv"');
    expect(res.body).toBe('Libellé,Année,Taux,Montant,Approx.,Le\r\n\'=1+2,2023,0.25,-1234.50,true,2026-01-31T12:00:00.000Z\r\n');
    expect(res.ended).toBe(true);
  });

  it('French CSV: BOM, « ; », decimal comma', async () => {
    const res = new FakeResponse();
    await sendTable(asResponse(res), 'csv', COLUMNS, [ROW], { fileName: 'a.csv', french: true });
    expect(res.body).toBe('\uFEFFLibellé;Année;Taux;Montant;Approx.;Le\r\n\'=1+2;2023;0,25;-1234,50;oui;2026-01-31T12:00:00.000Z\r\n');
  });

  it('JSON: an array of typed objects, from an async iterable, empty as []', async () => {
    const res = new FakeResponse();
    async function* rows() {
      yield ROW;
      yield { label: null, year: '2024', amount: '0.10' } as TableRow;
    }
    await sendTable(asResponse(res), 'json', COLUMNS, rows(), { fileName: 'a.json' });
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toEqual([
      { label: '=1+2', year: 2023, rate: 0.25, amount: '-1234.50', approximate: true, at: '2026-01-31T12:00:00.000Z' },
      { label: null, year: 2024, rate: null, amount: '0.10', approximate: null, at: null },
    ]);
    const empty = new FakeResponse();
    await sendTable(asResponse(empty), 'json', COLUMNS, [], { fileName: 'a.json' });
    expect(JSON.parse(empty.body)).toEqual([]);
  });

  it.each(['csv', 'json'] as const)('%s: waits for drain before reading more rows, and stops when the client leaves', async (format) => {
    const res = new FakeResponse();
    res.accept = false;
    const counter = { pulled: 0 };
    const done = sendTable(asResponse(res), format, COLUMNS, manyRows(10_000, counter), { fileName: 'a' });
    await new Promise((resolve) => setImmediate(resolve));
    // One chunk of ~64 kB was written and refused: reading stopped there.
    expect(res.chunks).toHaveLength(1);
    const pulledBeforeDrain = counter.pulled;
    expect(pulledBeforeDrain).toBeLessThan(1000);
    res.emit('drain');
    await new Promise((resolve) => setImmediate(resolve));
    expect(counter.pulled).toBeGreaterThan(pulledBeforeDrain);
    expect(counter.pulled).toBeLessThan(2000);
    res.destroyed = true;
    res.emit('close');
    await done;
    expect(counter.pulled).toBeLessThan(2000);
    expect(res.ended).toBe(false);
  });

  it('xlsx: built whole, refused with a 413 in French above the cap before anything is sent', async () => {
    const counter = { pulled: 0 };
    const res = new FakeResponse();
    const error = await sendTable(asResponse(res), 'xlsx', COLUMNS, manyRows(1000, counter), { fileName: 'a.xlsx', maxXlsxRows: 10 }).catch((e) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(413);
    expect(error.message).toMatch(/CSV/);
    expect(counter.pulled).toBe(11);
    expect(res.headersSent).toBe(false);

    const ok = new FakeResponse();
    await sendTable(asResponse(ok), 'xlsx', COLUMNS, manyRows(10, counter), { fileName: 'a.xlsx', maxXlsxRows: 10, sheetName: 'Lignes' });
    expect(ok.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = XLSX.read(Buffer.from(ok.body, 'latin1'), { type: 'buffer' });
    expect(workbook.SheetNames).toEqual(['Lignes']);
    expect(XLSX.utils.sheet_to_json(workbook.Sheets.Lignes)).toHaveLength(10);
  });
});
