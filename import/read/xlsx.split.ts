/**
 * Splits a large xlsx into workbooks that each hold one band of rows of its largest sheet, so that two
 * workers parse them at once (xlsx.reader.ts) and the main thread joins the rows (joinSplitGrids).
 *
 * xlsx 0.18.5 parses a sheet on one thread, at about 1 s for 100 000 lines; on a machine with two cores
 * the other one sits idle. A sheet's rows are independent for the library (a cell's value, type, style and
 * formula are in its own `<c>` element; strings and styles are workbook-wide parts every band keeps), with
 * three exceptions, where the file is not split and is parsed whole as before:
 * - shared, array and data-table formulas, whose text lives in another cell that may be in another band;
 * - a row without an `r` attribute, or rows not in increasing order: a band would number its rows from
 *   the wrong start;
 * - anything the scan does not recognise (a prefixed `<x:row>`, no `<sheetData>`).
 * Every band is a complete workbook (the same entries, stored, the sheet keeping its head and tail:
 * dimension, merges), so each worker runs exactly the sandboxed parse of a whole file.
 */
import { crc32 } from 'node:zlib';
import type { SheetGrid, WorkbookGrid } from '../common/model';
import { extractZipEntry, type ZipEntryInfo, type ZipInspection } from './zip-inspect';

/** Below this, a sheet is parsed whole: starting a second parse would cost more than it saves. */
const SPLIT_MIN_SHEET_BYTES = 2 * 1024 * 1024;

const ROW_OPEN = Buffer.from('<row');
const FORMULA_OPEN = Buffer.from('<f');
const SHEET_DATA_OPEN = Buffer.from('<sheetData');
const SHEET_DATA_CLOSE = Buffer.from('</sheetData>');
/** A formula whose text another cell holds: the band that has the cell may not have its master. */
const CROSS_CELL_FORMULAS = ['"shared"', "'shared'", '"array"', "'array'", '"dataTable"', "'dataTable'"].map((s) => Buffer.from(s));

const GT = 0x3e;
const SLASH = 0x2f;

function isWorksheet(entry: ZipEntryInfo): boolean {
  const name = entry.name.toLowerCase().replace(/^\//, '');
  return name.startsWith('xl/worksheets/') && name.endsWith('.xml') && !name.includes('/_rels/');
}

/** The value of attribute `r` in the tag between `start` and `end`, or null. */
function rowNumber(xml: Buffer, start: number, end: number): number | null {
  for (let p = start + 4; p < end - 3; p++) {
    const c = xml[p];
    // ' r="' or " r='" (any whitespace before).
    if ((c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) && xml[p + 1] === 0x72 && xml[p + 2] === 0x3d) {
      const quote = xml[p + 3];
      if (quote !== 0x22 && quote !== 0x27) return null;
      let value = 0;
      let q = p + 4;
      for (; q < end && xml[q] !== quote; q++) {
        const digit = xml[q] - 48;
        if (digit < 0 || digit > 9) return null;
        value = value * 10 + digit;
        if (value > 1_048_576) return null;
      }
      return q > p + 4 && q < end ? value : null;
    }
  }
  return null;
}

interface RowStart {
  offset: number;
  /** 1-based, as in the file. */
  number: number;
}

/** Every `<row` tag of the sheet data, in order, or null when one has no number or the order is wrong. */
function scanRows(xml: Buffer, from: number, to: number): RowStart[] | null {
  const rows: RowStart[] = [];
  let previous = 0;
  let p = xml.indexOf(ROW_OPEN, from);
  while (p >= 0 && p < to) {
    const next = xml[p + 4];
    // '<rowBreaks' is not a row; '<row>' or '<row/>' has no number.
    if (next === GT || next === SLASH) return null;
    if (next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d) {
      const end = xml.indexOf(GT, p);
      if (end < 0 || end > to) return null;
      const number = rowNumber(xml, p, end);
      if (number === null || number <= previous) return null;
      rows.push({ offset: p, number });
      previous = number;
      p = xml.indexOf(ROW_OPEN, end);
    } else {
      p = xml.indexOf(ROW_OPEN, p + 4);
    }
  }
  return rows;
}

/** The largest worksheet of an xlsx, when it is worth splitting into `parts` bands (else null). */
export function worksheetToSplit(inspection: ZipInspection, parts: number, minSheetBytes = SPLIT_MIN_SHEET_BYTES): ZipEntryInfo | null {
  if (parts < 2 || inspection.kind !== 'xlsx') return null;
  let largest: ZipEntryInfo | null = null;
  for (const entry of inspection.entries) {
    if (isWorksheet(entry) && (largest === null || entry.uncompressedSize > largest.uncompressedSize)) largest = entry;
  }
  return largest !== null && largest.uncompressedSize >= minSheetBytes ? largest : null;
}

/** One band of a split workbook: a complete xlsx file, and where every band starts. */
export interface Band {
  bytes: Buffer;
  /** 0-based index of the first row of each band (the first is 0). */
  firstRows: number[];
}

/** The sheet holds more rows with a value than the workbook may: refused before any parse. */
export interface TooManyRows {
  tooManyRows: number;
}

const VALUE_OPEN = Buffer.from('<v>');
const TEXT_OPEN = Buffer.from('<t');
const LT = 0x3c;

/**
 * How many of `rows` hold a cell with a value (a `<v>` or an inline `<t>` that is not empty), counting
 * no further than `stopAt`. A lower bound of what the parse counts as filled rows (xlsx.grid.ts): a row is
 * only counted when one of its cells has written content. One pass per needle, O(bytes).
 */
export function countRowsWithValues(xml: Buffer, rows: ReadonlyArray<{ offset: number }>, to: number, stopAt: number): number {
  if (rows.length === 0) return 0;
  const marked = new Uint8Array(rows.length);
  let count = 0;
  const mark = (position: number, cursor: { row: number }) => {
    while (cursor.row + 1 < rows.length && rows[cursor.row + 1].offset < position) cursor.row++;
    if (rows[cursor.row].offset < position && marked[cursor.row] === 0) {
      marked[cursor.row] = 1;
      count++;
    }
  };
  const values = { row: 0 };
  for (let p = xml.indexOf(VALUE_OPEN, rows[0].offset); p >= 0 && p < to && count < stopAt; p = xml.indexOf(VALUE_OPEN, p + 3)) {
    if (xml[p + 3] !== LT) mark(p, values);
  }
  const texts = { row: 0 };
  for (let p = xml.indexOf(TEXT_OPEN, rows[0].offset); p >= 0 && p < to && count < stopAt; p = xml.indexOf(TEXT_OPEN, p + 2)) {
    const next = xml[p + 2];
    // '<t>' or '<t xml:space="preserve">', not '<tableParts'.
    if (next !== GT && next !== 0x20 && next !== 0x09 && next !== 0x0a && next !== 0x0d) continue;
    const end = xml.indexOf(GT, p);
    if (end < 0 || end >= to) break;
    if (xml[end - 1] !== SLASH && xml[end + 1] !== LT) mark(p, texts);
  }
  return count;
}

/**
 * Band `band` of `parts` of the workbook whose largest sheet is `sheet` (inflated: `sheetXml`), or null
 * when the sheet cannot be split safely. Every band computes the same cut from the same bytes, so each
 * worker cuts its own band and the main thread does not spend the time. A sheet with more than `maxRows`
 * rows holding a value is `TooManyRows`: the parse would refuse it after 20 s and more (a million rows),
 * the scan does in a second. Never throws.
 */
export function cutBand(bytes: Uint8Array, entries: ZipEntryInfo[], sheet: ZipEntryInfo, sheetXml: Buffer, band: number, parts: number): Band | null;
export function cutBand(bytes: Uint8Array, entries: ZipEntryInfo[], sheet: ZipEntryInfo, sheetXml: Buffer, band: number, parts: number, maxRows: number): Band | TooManyRows | null;
export function cutBand(bytes: Uint8Array, entries: ZipEntryInfo[], sheet: ZipEntryInfo, sheetXml: Buffer, band: number, parts: number, maxRows = Infinity): Band | TooManyRows | null {
  try {
    return cut(bytes, entries, sheet, sheetXml, band, parts, maxRows);
  } catch {
    return null;
  }
}

function cut(bytes: Uint8Array, entries: ZipEntryInfo[], sheet: ZipEntryInfo, xml: Buffer, band: number, parts: number, maxRows: number): Band | TooManyRows | null {
  if (parts < 2 || band < 0 || band >= parts) return null;
  if (xml.indexOf(FORMULA_OPEN) >= 0 && CROSS_CELL_FORMULAS.some((needle) => xml.indexOf(needle) >= 0)) return null;
  const dataOpen = xml.indexOf(SHEET_DATA_OPEN);
  if (dataOpen < 0) return null;
  const dataOpenEnd = xml.indexOf(GT, dataOpen);
  if (dataOpenEnd < 0 || xml[dataOpenEnd - 1] === SLASH) return null;
  const dataClose = xml.indexOf(SHEET_DATA_CLOSE, dataOpenEnd);
  if (dataClose < 0) return null;
  const rows = scanRows(xml, dataOpenEnd + 1, dataClose);
  if (rows === null || rows.length < parts * 2) return null;
  if (rows.length > maxRows) {
    const filled = countRowsWithValues(xml, rows, dataClose, maxRows + 1);
    if (filled > maxRows) return { tooManyRows: filled };
  }

  // Bands of about equal bytes, each starting at a row tag.
  const starts: RowStart[] = [rows[0]];
  let r = 0;
  for (let next = 1; next < parts; next++) {
    const target = dataOpenEnd + 1 + ((dataClose - dataOpenEnd - 1) * next) / parts;
    while (r < rows.length && rows[r].offset < target) r++;
    if (r >= rows.length || r === 0 || rows[r].offset <= starts[starts.length - 1].offset) return null;
    starts.push(rows[r]);
  }
  const from = band === 0 ? dataOpenEnd + 1 : starts[band].offset;
  const to = band + 1 < parts ? starts[band + 1].offset : dataClose;
  const pieces = [xml.subarray(0, dataOpenEnd + 1), xml.subarray(from, to), xml.subarray(dataClose)];
  return { bytes: writeStoredZip(bytes, entries, sheet, pieces), firstRows: [0, ...starts.slice(1).map((start) => start.number - 1)] };
}

/** A zip of the same entries, all stored, with `replaced`'s content swapped for the `pieces` end to end. */
function writeStoredZip(bytes: Uint8Array, entries: ZipEntryInfo[], replaced: ZipEntryInfo, pieces: Buffer[]): Buffer {
  const contents = entries.map((entry) => (entry === replaced ? pieces : [extractZipEntry(bytes, entry, entry.uncompressedSize)]));
  const names = entries.map((entry) => Buffer.from(entry.name, 'utf8'));
  let size = 22;
  entries.forEach((_, i) => {
    const length = contents[i].reduce((sum, piece) => sum + piece.length, 0);
    size += 30 + 46 + 2 * names[i].length + length;
  });
  const out = Buffer.allocUnsafe(size);
  const directory: Array<{ offset: number; crc: number; length: number }> = [];
  let p = 0;
  entries.forEach((_, i) => {
    const name = names[i];
    let crc = 0;
    let length = 0;
    for (const piece of contents[i]) {
      crc = crc32(piece, crc);
      length += piece.length;
    }
    directory.push({ offset: p, crc, length });
    out.writeUInt32LE(0x04034b50, p);
    out.writeUInt16LE(20, p + 4);
    out.writeUInt16LE(0x0800, p + 6); // UTF-8 names
    out.writeUInt16LE(0, p + 8); // stored
    out.writeUInt32LE(0, p + 10); // time, date
    out.writeUInt32LE(crc, p + 14);
    out.writeUInt32LE(length, p + 18);
    out.writeUInt32LE(length, p + 22);
    out.writeUInt16LE(name.length, p + 26);
    out.writeUInt16LE(0, p + 28);
    p += 30;
    p += name.copy(out, p);
    for (const piece of contents[i]) p += piece.copy(out, p);
  });
  const directoryStart = p;
  entries.forEach((_, i) => {
    const name = names[i];
    const { offset, crc, length } = directory[i];
    out.fill(0, p, p + 46);
    out.writeUInt32LE(0x02014b50, p);
    out.writeUInt16LE(20, p + 4);
    out.writeUInt16LE(20, p + 6);
    out.writeUInt16LE(0x0800, p + 8);
    out.writeUInt32LE(crc, p + 16);
    out.writeUInt32LE(length, p + 20);
    out.writeUInt32LE(length, p + 24);
    out.writeUInt16LE(name.length, p + 28);
    out.writeUInt32LE(offset, p + 42);
    p += 46;
    p += name.copy(out, p);
  });
  out.fill(0, p, p + 22);
  out.writeUInt32LE(0x06054b50, p);
  out.writeUInt16LE(entries.length, p + 8);
  out.writeUInt16LE(entries.length, p + 10);
  out.writeUInt32LE(p - directoryStart, p + 12);
  out.writeUInt32LE(directoryStart, p + 16);
  return out;
}

/**
 * The workbook the whole file would have given, from the bands' grids: in every sheet, row r comes from the
 * band whose rows include r. Sheets that were not split are the same in every band, so this holds for them
 * too. Merges and skipped sheets come from the first band (every band has the sheet's whole tail).
 * Throws when the bands disagree on the sheets (the caller then parses the file whole).
 */
export function joinSplitGrids(grids: WorkbookGrid[], firstRows: number[]): WorkbookGrid {
  const [first] = grids;
  for (const grid of grids) {
    if (grid.sheets.length !== first.sheets.length || grid.sheets.some((sheet, i) => sheet.name !== first.sheets[i].name)) {
      throw new Error('split bands disagree on the sheets');
    }
  }
  const sheets: SheetGrid[] = first.sheets.map((sheet, index) => {
    const rows: SheetGrid['rows'] = [];
    grids.forEach((grid, band) => {
      const bandRows = grid.sheets[index].rows;
      const from = firstRows[band];
      const to = band + 1 < grids.length ? firstRows[band + 1] : bandRows.length;
      for (let r = from; r < to; r++) rows.push(bandRows[r] ?? []);
    });
    // Trailing empty rows are not kept (a band may end on empty rows).
    while (rows.length > 0 && rows[rows.length - 1].length === 0) rows.pop();
    return { name: sheet.name, rows, merges: sheet.merges };
  });
  return { format: first.format, sheets, skippedSheets: first.skippedSheets };
}
