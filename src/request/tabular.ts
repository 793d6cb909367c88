/**
 * Flat tables out of the API as CSV, xlsx or JSON, shared by the funding export and saved reports.
 *
 * Values stay typed as long as the format allows: JSON keeps decimals as exact strings ("1234.50") and
 * integers as numbers; xlsx writes numbers as numeric cells; CSV writes plain numbers (with a decimal
 * comma in the French variant). CSV is opened by people in spreadsheets, so text that a spreadsheet would
 * run as a formula is neutralised there; numbers never are (a negative amount stays a number).
 *
 * CSV and JSON stream: rows are pulled from an (async) iterable and written as they come. The database
 * reads do not wait for the client: what it has not read yet waits in memory, so the request's place in
 * the gate is given back as soon as the answer is built, not when a slow (or hostile) client has read it.
 * Only when the gated answers' memory is at its ceiling (request-gate.ts) does a writer wait for 'drain'.
 * xlsx has to be built in memory, so its row count is capped.
 *
 * A column with `labels` (a closed set) is written as its French label in the French CSV and in xlsx,
 * the files people open, and as its code in the plain CSV and JSON, which BI tools and scripts read.
 *
 * Only writing happens here: xlsx's known flaws concern parsing untrusted files, not building our own.
 */
import type { Response } from 'express';
import type * as Sheets from 'xlsx';
import { xlsxLibrary } from '../kernel/xlsx-library';
import { HttpError } from './http-error';
import { admittingGate } from './request-gate';

export type ColumnType = 'text' | 'integer' | 'number' | 'decimal' | 'boolean' | 'datetime';
export interface TableColumn {
  key: string;
  label: string;
  type: ColumnType;
  /**
   * A closed set's French labels (src/kernel/french-labels.ts), by code: the files people open (the French
   * CSV and xlsx) show the label, the files for BI tools (plain CSV, JSON) the code. A code without a
   * label stays as it is.
   */
  labels?: Readonly<Record<string, string>>;
}
/** decimal values are exact strings like "-1234.50"; datetime values are Date or ISO strings. */
export type TableValue = string | number | boolean | Date | null | undefined;
export type TableRow = Record<string, TableValue>;
export type TableFormat = 'csv' | 'xlsx' | 'json';
export interface TableOutputOptions {
  fileName: string;
  /** CSV: ';' and decimal comma, BOM */
  french?: boolean;
  sheetName?: string;
  maxXlsxRows?: number;
}

/** An xlsx is built whole in memory (about 1 kB per row of 25 columns while building): past this, CSV. */
export const DEFAULT_MAX_XLSX_ROWS = 200_000;

const CONTENT_TYPES: Readonly<Record<TableFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Rows are written in chunks of about this size: one write per row would cost more than the row itself. */
const WRITE_CHUNK_CHARS = 64 * 1024;
/** Excel refuses a cell longer than this. */
const XLSX_MAX_CELL_CHARS = 32_767;
const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/**
 * `?format=` of a CSV answer, as the funding export reads it: `fr` (« ; », decimal comma, UTF-8 BOM: what
 * French Excel opens in columns), `standard` or nothing (« , », decimal point); anything else is a 400,
 * rather than a file that silently is not the one asked for.
 */
export function parseCsvVariant(value: unknown): boolean {
  if (value === undefined) return false;
  const text = typeof value === 'string' ? value.toLowerCase() : null;
  if (text === 'standard') return false;
  if (text === 'fr') return true;
  throw new HttpError(400, `Variante « ${String(value)} » inconnue (paramètre « format ») : « fr » (séparateur ; et virgule décimale) ou « standard ».`, 'format');
}

export function parseTableFormat(extension: string): TableFormat | null {
  const format = extension.replace(/^\./, '').toLowerCase();
  return format === 'csv' || format === 'xlsx' || format === 'json' ? format : null;
}

/**
 * Text that Excel or LibreOffice would run as a formula (OWASP's "CSV injection" list: = + - @, tab, CR)
 * gets a leading apostrophe, which shows the text as it is.
 */
export function neutraliseSpreadsheetFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One CSV field, quoted when needed; `french`: ';' separator and decimal comma. */
export function csvField(value: TableValue, type: ColumnType, french: boolean): string {
  if (value === null || value === undefined) return '';
  switch (type) {
    case 'integer':
    case 'number':
    case 'decimal': {
      if (typeof value === 'number' && !Number.isFinite(value)) return '';
      const text = typeof value === 'number' ? numberText(value) : String(value).trim();
      // Anything that is not a plain number is treated as text, so it cannot smuggle a formula in.
      if (!DECIMAL_TEXT.test(text)) return csvText(String(value), french);
      return french ? text.replace('.', ',') : text;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return csvText(String(value), french);
      return french ? (value ? 'oui' : 'non') : value ? 'true' : 'false';
    case 'datetime':
      return csvText(isoDateTime(value), french);
    case 'text':
    default:
      return csvText(value instanceof Date ? isoDateTime(value) : String(value), french);
  }
}

function csvText(text: string, french: boolean): string {
  const safe = neutraliseSpreadsheetFormula(text);
  const separator = french ? ';' : ',';
  return safe.includes(separator) || /["\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A number as plain digits: never exponent notation, which spreadsheets and BI tools read differently. */
function numberText(value: number): string {
  if (!Number.isFinite(value)) return '';
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(20).replace(/\.?0+$/, '') : text;
}

function isoDateTime(value: TableValue): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  return String(value);
}

function toDate(value: TableValue): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

/** The JSON value of a cell: decimals stay exact strings, integers and numbers are numbers, dates ISO. */
function jsonValue(value: TableValue, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'decimal':
      return typeof value === 'number' ? numberText(value) : String(value);
    case 'integer':
    case 'number': {
      if (typeof value === 'number') return Number.isFinite(value) ? value : null;
      const number = Number(value);
      return typeof value === 'string' && DECIMAL_TEXT.test(value.trim()) && Number.isFinite(number) ? number : String(value);
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : String(value);
    case 'datetime':
      return value instanceof Date ? isoDateTime(value) || null : String(value);
    case 'text':
    default:
      return value instanceof Date ? isoDateTime(value) : String(value);
  }
}

/**
 * One sheet with typed cells: numbers are numeric cells (decimals with `#,##0.00`, integers with `0`),
 * booleans are booleans, dates are date cells (UTC), text is text — a text cell is never run as a
 * formula, so it needs no apostrophe. A decimal becomes a double: exact to the cent up to 2^53 cents
 * (about 90 000 billion euros), far beyond DECIMAL(15,2).
 */
export function buildXlsx(columns: TableColumn[], rows: TableRow[], sheetName = 'Données'): Buffer {
  const sheet: Sheets.WorkSheet = {};
  columns.forEach((column, c) => {
    sheet[xlsxLibrary().utils.encode_cell({ r: 0, c })] = { t: 's', v: column.label };
  });
  rows.forEach((row, index) => {
    const r = index + 1;
    columns.forEach((column, c) => {
      const cell = xlsxCell(peopleValue(row[column.key], column), column.type);
      if (cell) sheet[xlsxLibrary().utils.encode_cell({ r, c })] = cell;
    });
  });
  const lastColumn = Math.max(columns.length - 1, 0);
  const range = { s: { r: 0, c: 0 }, e: { r: rows.length, c: lastColumn } };
  sheet['!ref'] = xlsxLibrary().utils.encode_range(range);
  if (columns.length > 0) sheet['!autofilter'] = { ref: xlsxLibrary().utils.encode_range(range) };
  sheet['!cols'] = columns.map((column) => ({ wch: columnWidth(column) }));
  const workbook = xlsxLibrary().utils.book_new();
  xlsxLibrary().utils.book_append_sheet(workbook, sheet, safeSheetName(sheetName));
  return xlsxLibrary().write(workbook, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
}

/** What a person reads: a closed set's French label instead of its code. */
export function peopleValue(value: TableValue, column: TableColumn): TableValue {
  if (!column.labels || typeof value !== 'string') return value;
  return Object.prototype.hasOwnProperty.call(column.labels, value) ? column.labels[value] : value;
}

function xlsxCell(value: TableValue, type: ColumnType): Sheets.CellObject | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  switch (type) {
    case 'decimal':
    case 'integer':
    case 'number': {
      const number = typeof value === 'number' ? value : DECIMAL_TEXT.test(String(value).trim()) ? Number(value) : NaN;
      if (!Number.isFinite(number)) return textCell(String(value));
      if (type === 'decimal') return { t: 'n', v: number, z: '#,##0.00' };
      if (type === 'integer') return { t: 'n', v: number, z: '0' };
      return { t: 'n', v: number };
    }
    case 'boolean':
      return typeof value === 'boolean' ? { t: 'b', v: value } : textCell(String(value));
    case 'datetime': {
      const date = toDate(value);
      // Excel's serial day count from 1899-12-30, in UTC so the cell shows the same instant as the ISO text.
      return date ? { t: 'n', v: date.getTime() / 86_400_000 + 25_569, z: 'yyyy-mm-dd hh:mm:ss' } : textCell(String(value));
    }
    case 'text':
    default:
      return textCell(value instanceof Date ? isoDateTime(value) : String(value));
  }
}

function textCell(text: string): Sheets.CellObject {
  return { t: 's', v: text.length > XLSX_MAX_CELL_CHARS ? text.slice(0, XLSX_MAX_CELL_CHARS) : text };
}

function columnWidth(column: TableColumn): number {
  const byType: Record<ColumnType, number> = { text: 24, integer: 8, number: 12, decimal: 16, boolean: 8, datetime: 20 };
  return Math.min(Math.max(column.label.length + 2, byType[column.type]), 60);
}

/** Excel's rules: at most 31 characters, none of : \ / ? * [ ]. */
function safeSheetName(name: string): string {
  const cleaned = name.replace(/[:\\/?*[\]]/g, ' ').trim().slice(0, 31);
  return cleaned || 'Données';
}

/** Streams (csv, json) or builds (xlsx) the table into the response, with content type and Content-Disposition. */
export async function sendTable(
  res: Response,
  format: TableFormat,
  columns: TableColumn[],
  rows: Iterable<TableRow> | AsyncIterable<TableRow>,
  options: TableOutputOptions,
): Promise<void> {
  if (format === 'xlsx') {
    const buffer = buildXlsx(columns, await collectRows(rows, options.maxXlsxRows ?? DEFAULT_MAX_XLSX_ROWS), options.sheetName);
    res.attachment(options.fileName);
    res.type(CONTENT_TYPES.xlsx).send(buffer);
    return;
  }
  res.attachment(options.fileName);
  res.type(CONTENT_TYPES[format]);
  res.set('X-Content-Type-Options', 'nosniff');
  res.status(200);
  const writer = new ChunkedWriter(res);
  if (format === 'csv') {
    const french = options.french ?? false;
    const separator = french ? ';' : ',';
    // The BOM tells Excel the file is UTF-8; without it Excel reads accents as Windows-1252.
    if (french) writer.push('\uFEFF');
    writer.push(columns.map((column) => csvText(column.label, french)).join(separator) + '\r\n');
    for await (const row of rows) {
      writer.push(columns.map((column) => csvField(french ? peopleValue(row[column.key], column) : row[column.key], column.type, french)).join(separator) + '\r\n');
      if (writer.full && !(await writer.flush())) return;
    }
  } else {
    writer.push('[');
    let first = true;
    for await (const row of rows) {
      const object: Record<string, unknown> = {};
      for (const column of columns) object[column.key] = jsonValue(row[column.key], column.type);
      writer.push((first ? '\n' : ',\n') + JSON.stringify(object));
      first = false;
      if (writer.full && !(await writer.flush())) return;
    }
    writer.push(first ? ']\n' : '\n]\n');
  }
  if (!(await writer.flush())) return;
  res.end();
}

/** Collects the rows an xlsx needs, refusing (before anything is sent) a table over the cap. */
async function collectRows(rows: Iterable<TableRow> | AsyncIterable<TableRow>, maxRows: number): Promise<TableRow[]> {
  const collected: TableRow[] = [];
  for await (const row of rows) {
    if (collected.length >= maxRows) {
      throw new HttpError(
        413,
        `Le tableau dépasse ${maxRows.toLocaleString('fr-FR')} lignes, trop pour un fichier xlsx : demandez-le en CSV (.csv), ou restreignez-le avec des filtres.`,
        'format',
      );
    }
    collected.push(row);
  }
  return collected;
}

/**
 * Gathers small strings into chunks and writes them; false once the client has gone. Backpressure only
 * when the gate says the answers' memory is full (or outside the gate, where nothing bounds it).
 */
class ChunkedWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly res: Response) {}

  push(text: string): void {
    this.parts.push(text);
    this.size += text.length;
  }

  get full(): boolean {
    return this.size >= WRITE_CHUNK_CHARS;
  }

  async flush(): Promise<boolean> {
    const res = this.res;
    if (res.destroyed || res.writableEnded) return false;
    if (this.size === 0) return true;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (res.write(chunk)) return true;
    const gate = admittingGate(res);
    if (gate && !gate.buffersFull()) return true;
    return waitForDrain(res);
  }
}

function waitForDrain(res: Response): Promise<boolean> {
  // A client that leaves never drains: 'close' ends the wait, and the caller stops reading rows.
  return new Promise((resolve) => {
    const finish = (drained: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(drained);
    };
    const onDrain = finish(true);
    const onClose = finish(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
