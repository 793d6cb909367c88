/**
 * Test-only readers: an xlsx sheet, a CSV file or inline rows → SheetGrid. The real reader lives in
 * import/read; these are deliberately small so that detect's tests do not depend on it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as XLSX from 'xlsx';
import type { Cell, CellRange, SheetGrid } from '../../../import/common/model';

import { FIXTURES_DIR } from '../../support/fixtures';

export const FIXTURES = FIXTURES_DIR;

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

function cellFrom(c: XLSX.CellObject): Cell | null {
  if (c.t === 'z' || c.v === undefined || c.v === null) return null;
  const kind: Cell['kind'] = c.t === 'n' || c.t === 'd' ? 'number' : c.t === 'b' ? 'boolean' : c.t === 'e' ? 'error' : 'string';
  const cell: Cell = { kind, value: c.t === 'e' ? (c.w ?? String(c.v)) : c.v instanceof Date ? c.v.getTime() : (c.v as number | string | boolean) };
  if (c.w !== undefined) cell.text = c.w;
  if (typeof c.z === 'string') cell.format = c.z;
  if (c.f) cell.formula = c.f;
  return cell;
}

export function gridFromSheet(name: string, ws: XLSX.WorkSheet): SheetGrid {
  const rows: Array<Array<Cell | null>> = [];
  if (ws['!ref']) {
    const range = XLSX.utils.decode_range(ws['!ref']);
    for (let r = 0; r <= range.e.r; r++) {
      const row: Array<Cell | null> = [];
      for (let c = 0; c <= range.e.c; c++) {
        const raw = ws[XLSX.utils.encode_cell({ r, c })] as XLSX.CellObject | undefined;
        row.push(raw ? cellFrom(raw) : null);
      }
      while (row.length && row[row.length - 1] === null) row.pop();
      rows.push(row);
    }
    while (rows.length && rows[rows.length - 1].length === 0) rows.pop();
  }
  const merges: CellRange[] = (ws['!merges'] ?? []).map((m) => ({ startRow: m.s.r, startCol: m.s.c, endRow: m.e.r, endCol: m.e.c }));
  return { name, rows, merges };
}

/** Every sheet of an xlsx file, in workbook order. */
export function gridsFromXlsx(file: string): SheetGrid[] {
  const wb = XLSX.read(fs.readFileSync(file), { type: 'buffer', cellFormula: true, cellNF: true });
  return wb.SheetNames.map((n) => gridFromSheet(n, wb.Sheets[n]));
}

/** A `;` CSV, UTF-8 with or without BOM, CRLF: every cell a string. */
export function gridFromCsv(file: string, name = path.basename(file)): SheetGrid {
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r\n/);
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const rows = lines.map((line) => {
    const row: Array<Cell | null> = line.split(';').map((v) => (v === '' ? null : { kind: 'string' as const, value: v }));
    while (row.length && row[row.length - 1] === null) row.pop();
    return row;
  });
  return { name, rows, merges: [] };
}

type InlineValue = string | number | boolean | null | undefined | Cell;

/** Inline rows: strings and numbers become cells, null / undefined / '' empty; merges as 'A3:F3'. */
export function grid(name: string, rows: InlineValue[][], merges: string[] = []): SheetGrid {
  return {
    name,
    rows: rows.map((row) =>
      row.map((v): Cell | null => {
        if (v === null || v === undefined || v === '') return null;
        if (typeof v === 'object') return v;
        if (typeof v === 'number') return { kind: 'number', value: v };
        if (typeof v === 'boolean') return { kind: 'boolean', value: v };
        return { kind: 'string', value: v };
      }),
    ),
    merges: merges.map((ref) => {
      const r = XLSX.utils.decode_range(ref);
      return { startRow: r.s.r, startCol: r.s.c, endRow: r.e.r, endCol: r.e.c };
    }),
  };
}
