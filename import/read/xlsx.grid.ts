/**
 * A workbook object from xlsx 0.18.5 → plain SheetGrids. Runs inside the worker (see xlsx.worker.ts).
 *
 * The workbook comes from an untrusted file parsed by a library with a known prototype-pollution flaw, so
 * every property is read as an own property (a polluted `Object.prototype.f` must not turn every cell into a
 * formula), and only fresh plain objects, arrays, strings, numbers and booleans are built.
 *
 * A sheet's extent is the cells actually present, never its `!ref` (a sheet that claims A1:XFD1048576 with
 * twelve real rows gives twelve rows). Rows are ragged: each ends at its last non-empty cell.
 */
import { UNCALCULATED_FORMULA, type Cell, type CellRange, type SheetGrid, type WorkbookGrid } from '../common/model';
import { SheetPacker, type PackedSheet } from './grid-transfer';
import type { OdsTableInfo } from './ods-hidden';

const hasOwn = Object.prototype.hasOwnProperty;

function own(object: unknown, key: string): unknown {
  if (object === null || (typeof object !== 'object' && typeof object !== 'function')) return undefined;
  return hasOwn.call(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

const ERROR_TEXTS: Record<number, string> = {
  0x00: '#NULL!',
  0x07: '#DIV/0!',
  0x0f: '#VALUE!',
  0x17: '#REF!',
  0x1d: '#NAME?',
  0x24: '#NUM!',
  0x2a: '#N/A',
  0x2b: '#GETTING_DATA',
};

const ERROR_LITERALS = new Set(['#NULL!', '#DIV/0!', '#VALUE!', '#REF!', '#NAME?', '#NUM!', '#N/A', '#GETTING_DATA']);

/** LibreOffice error texts: the Excel ones, and 'Err:502' style codes. */
function isErrorLiteral(text: string): boolean {
  if (ERROR_LITERALS.has(text)) return true;
  if (text.length === 7 && text.startsWith('Err:')) {
    for (let i = 4; i < 7; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return false;
    }
    return true;
  }
  return false;
}

/** Days since 1899-12-30, the Excel serial of a Date (UTC). */
function dateSerial(date: Date): number {
  return (date.getTime() - Date.UTC(1899, 11, 30)) / 86_400_000;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** One library cell → one Cell, or null for a stub or an empty cell. */
export function toCell(raw: unknown, format: 'xlsx' | 'ods'): Cell | null {
  if (raw === null || typeof raw !== 'object') return null;
  const t = own(raw, 't');
  const v = own(raw, 'v');
  const w = asString(own(raw, 'w'));
  const f = asString(own(raw, 'f'));
  const z = own(raw, 'z');
  let cell: Cell;
  switch (t) {
    case 'z':
      // A stub. With a formula, it is one whose result the file does not hold (never calculated): an unknown
      // value, not an empty cell, or its amount would be lost silently.
      if (f === undefined || f === '') return null;
      return { kind: 'error', value: UNCALCULATED_FORMULA, formula: f.charCodeAt(0) === 61 ? f.slice(1) : f };
    case 'n': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return null;
      cell = { kind: 'number', value: v };
      break;
    }
    case 'd': {
      let serial: number | null = null;
      if (v instanceof Date) serial = dateSerial(v);
      else if (typeof v === 'number') serial = v;
      else if (typeof v === 'string') {
        const parsed = Date.parse(v);
        if (!Number.isNaN(parsed)) serial = dateSerial(new Date(parsed));
      }
      if (serial === null || !Number.isFinite(serial)) return null;
      cell = { kind: 'number', value: serial };
      break;
    }
    case 'b':
      cell = { kind: 'boolean', value: v === true || v === 1 || v === 'TRUE' || v === 'true' };
      break;
    case 'e': {
      const text = w !== undefined && w !== '' ? w : typeof v === 'number' ? (ERROR_TEXTS[v] ?? '#ERROR') : String(v ?? '#ERROR');
      cell = { kind: 'error', value: text };
      break;
    }
    case 's':
    case 'str': {
      const text = typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
      if (text === '' && f === undefined) return null;
      if (format === 'ods' && f !== undefined && isErrorLiteral(text)) {
        cell = { kind: 'error', value: text };
      } else {
        cell = { kind: 'string', value: text };
      }
      break;
    }
    default:
      // anything unknown
      return null;
  }
  if (w !== undefined && w !== String(cell.value)) cell.text = w;
  if (typeof z === 'string' && z !== 'General' && z !== '' && cell.kind === 'number') cell.format = z;
  if (f !== undefined && f !== '') cell.formula = f.charCodeAt(0) === 61 /* = */ ? f.slice(1) : f;
  return cell;
}

function toRange(raw: unknown): CellRange | null {
  const s = own(raw, 's');
  const e = own(raw, 'e');
  const sr = own(s, 'r');
  const sc = own(s, 'c');
  const er = own(e, 'r');
  const ec = own(e, 'c');
  if (![sr, sc, er, ec].every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) return null;
  return { startRow: sr as number, startCol: sc as number, endRow: er as number, endCol: ec as number };
}

/** 'AB12' → { r: 11, c: 27 }; null when the key is not a cell address ('!ref', '!merges'…). */
function decodeAddress(key: string): { r: number; c: number } | null {
  let i = 0;
  let col = 0;
  while (i < key.length) {
    const code = key.charCodeAt(i);
    if (code >= 65 && code <= 90) col = col * 26 + (code - 64);
    else break;
    i++;
  }
  if (i === 0 || i === key.length || i > 3) return null;
  let row = 0;
  for (let k = i; k < key.length; k++) {
    const code = key.charCodeAt(k);
    if (code < 48 || code > 57) return null;
    row = row * 10 + (code - 48);
  }
  if (row < 1) return null;
  return { r: row - 1, c: col - 1 };
}

function trimRow(row: Array<Cell | null>): Array<Cell | null> {
  let end = row.length;
  while (end > 0 && row[end - 1] === null) end--;
  if (end !== row.length) row.length = end;
  return row;
}

/** Excel's (and LibreOffice's) grid: a cell beyond it comes from a damaged reference (r="A1:XFD1048576"). */
const MAX_ROWS = 1_048_576;
const MAX_COLS = 16_384;

/** A library worksheet (dense array of rows, or sparse 'A1'-keyed object) → SheetGrid. */
export function sheetToGrid(name: string, ws: unknown, format: 'xlsx' | 'ods'): SheetGrid {
  const rows: Array<Array<Cell | null>> = [];
  const merges = eachSheetRow(name, ws, format, (row) => rows.push(row));
  return { name, rows, merges };
}

/**
 * The rows of a library worksheet in order, each handed to `onRow` as soon as it is converted (empty rows
 * between two filled ones as []), then its merges. Rows are ragged: each ends at its last non-empty cell;
 * trailing empty rows are left out.
 */
function eachSheetRow(name: string, ws: unknown, format: 'xlsx' | 'ods', onRow: (row: Array<Cell | null>) => void): CellRange[] {
  if (Array.isArray(ws)) {
    // Dense mode: ws[r][c]. Its length is the last row that holds anything, not the declared `!ref`.
    const length = ws.length;
    // Else millions of empty rows or columns would be built from one misplaced cell.
    if (length > MAX_ROWS) throw new Error(`cell beyond row ${MAX_ROWS} in ${name}`);
    let emitted = 0;
    for (let r = 0; r < length; r++) {
      const rawRow: unknown = hasOwn.call(ws, r) ? ws[r] : undefined;
      if (!Array.isArray(rawRow)) continue;
      if (rawRow.length > MAX_COLS) throw new Error(`cell beyond column ${MAX_COLS} in ${name}`);
      let row: Array<Cell | null> | null = null;
      for (let c = 0; c < rawRow.length; c++) {
        if (!hasOwn.call(rawRow, c)) continue;
        const cell = toCell(rawRow[c], format);
        if (cell === null) continue;
        if (row === null) row = [];
        while (row.length < c) row.push(null);
        row[c] = cell;
      }
      if (row !== null) {
        for (; emitted < r; emitted++) onRow([]);
        onRow(row);
        emitted++;
      }
    }
  } else if (ws !== null && typeof ws === 'object') {
    const rows: Array<Array<Cell | null>> = [];
    for (const key of Object.keys(ws)) {
      if (key.charCodeAt(0) === 33 /* ! */) continue;
      const address = decodeAddress(key);
      if (!address) continue;
      if (address.r >= MAX_ROWS || address.c >= MAX_COLS) throw new Error(`cell ${key} beyond the grid in ${name}`);
      const cell = toCell((ws as Record<string, unknown>)[key], format);
      if (cell === null) continue;
      while (rows.length <= address.r) rows.push([]);
      const row = rows[address.r];
      while (row.length < address.c) row.push(null);
      row[address.c] = cell;
    }
    for (const row of rows) {
      for (let c = 0; c < row.length; c++) if (row[c] === undefined) row[c] = null;
      onRow(trimRow(row));
    }
  }
  const merges: CellRange[] = [];
  const rawMerges = own(ws, '!merges');
  if (Array.isArray(rawMerges)) {
    for (const raw of rawMerges) {
      const range = toRange(raw);
      if (range && range.endRow >= range.startRow && range.endCol >= range.startCol) merges.push(range);
    }
  }
  return merges;
}

/** Hidden state of sheet i: 0 visible, 1 hidden, 2 very hidden (xlsx `Workbook.Sheets[i].Hidden`). */
function xlsxHidden(wb: unknown, index: number): number {
  const sheets = own(own(wb, 'Workbook'), 'Sheets');
  if (!Array.isArray(sheets)) return 0;
  const hidden = own(sheets[index], 'Hidden');
  return typeof hidden === 'number' ? hidden : 0;
}

/**
 * The library's worksheet for a sheet name. A sheet named `__proto__` is stored by xlsx 0.18.5 as
 * `Sheets.__proto__ = ws`, which sets the prototype of its own `Sheets` object instead of a property: read
 * it back from there (only that object's prototype changed, nothing global), or the sheet reads as empty.
 */
function sheetOf(sheets: object, name: string): unknown {
  if (hasOwn.call(sheets, name)) return (sheets as Record<string, unknown>)[name];
  if (name !== '__proto__') return undefined;
  const proto: unknown = Object.getPrototypeOf(sheets);
  return proto === Object.prototype || proto === null ? undefined : proto;
}

/**
 * The whole workbook. `odsTables` (from ods-hidden.ts) gives an ods file's sheet names and hidden flags in
 * document order. Each converted sheet is deleted from the library workbook to free memory as we go.
 */
export function workbookToGrid(wb: unknown, format: 'xlsx' | 'ods', odsTables?: OdsTableInfo[]): WorkbookGrid {
  const grid: WorkbookGrid = { format, sheets: [], skippedSheets: [] };
  eachVisibleSheet(wb, format, odsTables, grid.skippedSheets, (name, ws) => grid.sheets.push(sheetToGrid(name, ws, format)));
  return grid;
}

/**
 * What a workbook may hold, over all its visible sheets (the CSV reader refuses past 4 000 000 fields too).
 * A national list of State grants has tens of thousands of rows; past these the pipeline would hold
 * gigabytes for minutes, so the file is refused as too complex before it leaves the worker.
 */
export const WORKBOOK_LIMITS = { maxRows: 500_000, maxCells: 4_000_000 };

/** Thrown by workbookToPacked past WORKBOOK_LIMITS; the worker answers FILE_TOO_COMPLEX. */
export class WorkbookTooComplexError extends Error {
  readonly code = 'FILE_TOO_COMPLEX';
}

/** workbookToGrid for the worker: each sheet packed as its rows are converted (grid-transfer.ts). */
export function workbookToPacked(
  wb: unknown,
  format: 'xlsx' | 'ods',
  odsTables?: OdsTableInfo[],
  limits: { maxRows: number; maxCells: number } = WORKBOOK_LIMITS,
): { sheets: PackedSheet[]; skippedSheets: WorkbookGrid['skippedSheets'] } {
  const packed: { sheets: PackedSheet[]; skippedSheets: WorkbookGrid['skippedSheets'] } = { sheets: [], skippedSheets: [] };
  let rows = 0;
  let cells = 0;
  eachVisibleSheet(wb, format, odsTables, packed.skippedSheets, (name, ws) => {
    const packer = new SheetPacker();
    const merges = eachSheetRow(name, ws, format, (row) => {
      if (row.length > 0) {
        rows++;
        for (const cell of row) if (cell !== null) cells++;
        if (rows > limits.maxRows || cells > limits.maxCells) {
          throw new WorkbookTooComplexError(`more than ${limits.maxRows} rows or ${limits.maxCells} cells (${name})`);
        }
      }
      packer.addRow(row);
    });
    packed.sheets.push(packer.finish(name, merges));
  });
  return packed;
}

function eachVisibleSheet(
  wb: unknown,
  format: 'xlsx' | 'ods',
  odsTables: OdsTableInfo[] | undefined,
  skippedSheets: WorkbookGrid['skippedSheets'],
  onSheet: (name: string, ws: unknown) => void,
): void {
  const names = own(wb, 'SheetNames');
  const sheets = own(wb, 'Sheets');
  if (!Array.isArray(names) || names.length === 0 || sheets === null || typeof sheets !== 'object') {
    throw new Error('workbook without sheets');
  }
  const useOdsTables = format === 'ods' && odsTables !== undefined && odsTables.length === names.length;
  names.forEach((rawName: unknown, index: number) => {
    const libraryName = typeof rawName === 'string' ? rawName : String(rawName);
    const name = useOdsTables && odsTables[index].name !== '' ? odsTables[index].name : libraryName;
    const hidden = format === 'xlsx' ? xlsxHidden(wb, index) !== 0 : useOdsTables && odsTables[index].hidden;
    if (hidden) {
      skippedSheets.push({ name, reason: 'hidden' });
    } else {
      onSheet(name, sheetOf(sheets, libraryName));
    }
    if (hasOwn.call(sheets, libraryName)) delete (sheets as Record<string, unknown>)[libraryName];
  });
}
