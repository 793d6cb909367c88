/**
 * The data that flows through the import pipeline (docs/design.md, « The import »):
 * read → detect → parse → resolve → check → preview → apply. Every stage is a plain function from these
 * types to these types; only src/import-batch (store-preview.ts, apply/) touches the database.
 */

// ---------------------------------------------------------------------------------------------------
// read: any file → a plain grid of cells
// ---------------------------------------------------------------------------------------------------

export type CellKind = 'number' | 'string' | 'boolean' | 'error';

/** One non-empty cell as the spreadsheet shows it. Formulas come with their cached value. */
export interface Cell {
  kind: CellKind;
  /** number for numeric cells (dates are serials), string for text, boolean, or the error text ('#DIV/0!'). */
  value: number | string | boolean;
  /** The text Excel displays for it, when the file says (xlsx `w`). */
  text?: string;
  /** The number format, when the file gives one (to tell a date serial from an amount). */
  format?: string;
  /** The formula, without '=', when the cell holds one. */
  formula?: string;
}

/**
 * The error text given to a formula cell that holds no cached result (a file written by a program that
 * never calculated it): its value is unknown, so it must not read as an empty cell.
 */
export const UNCALCULATED_FORMULA = '#NON_CALCULÉ';

/** 0-based, inclusive. */
export interface CellRange {
  startRow: number;
  startCol: number;
  endRow: number;
  endCol: number;
}

export interface SheetGrid {
  name: string;
  /** rows[r][c], 0-based; trailing empty rows and columns are not kept; an empty cell is null. */
  rows: Array<Array<Cell | null>>;
  merges: CellRange[];
}

export type FileFormat = 'xlsx' | 'ods' | 'csv';

export interface WorkbookGrid {
  format: FileFormat;
  /** Visible sheets, in workbook order. */
  sheets: SheetGrid[];
  /** Sheets left out, and why (hidden, very hidden). */
  skippedSheets: Array<{ name: string; reason: 'hidden' }>;
  /** CSV only: what was detected. */
  csv?: { delimiter: string; encoding: string; decimalComma: boolean };
}

// ---------------------------------------------------------------------------------------------------
// issues: every problem names its sheet and cell, in French for the partner
// ---------------------------------------------------------------------------------------------------

/** NOTE: not a problem, what the import understood on its own (a documentation sheet, a year from a sheet's name). */
export type Severity = 'ERROR' | 'WARNING' | 'NOTE';

export interface IssueDraft {
  severity: Severity;
  /** Stable code: see import/common/issue-codes.ts. */
  code: string;
  /** In French, for the partner who will fix the file. */
  message: string;
  sheet: string | null;
  /** 'A1' style; null for a problem of the whole file or sheet. */
  cell: string | null;
  /** The raw cell text as written, when there is one. */
  value: string | null;
}

// ---------------------------------------------------------------------------------------------------
// helpers shared by every stage
// ---------------------------------------------------------------------------------------------------

/** 0-based column index → letters (0 → 'A', 26 → 'AA'). */
export function columnLetters(col: number): string {
  let letters = '';
  let n = col + 1;
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/**
 * A person's reading of a doubtful cell, given in the preview (src/import-batch/cell-correction.service.ts):
 * the pipeline reads `value` as the cell's text instead of what the file holds; the file is not changed.
 */
export interface CellCorrection {
  sheet: string;
  /** 'C10' */
  cell: string;
  value: string;
}

/** 'C10' → 0-based { row, col }; null when it is no cell address. */
export function parseCellAddress(address: string): { row: number; col: number } | null {
  const match = /^([A-Z]{1,3})([1-9]\d{0,6})$/.exec(address);
  if (!match) return null;
  const col = [...match[1]].reduce((value, letter) => value * 26 + letter.charCodeAt(0) - 64, 0) - 1;
  return { row: Number(match[2]) - 1, col };
}

/** 0-based row and column → 'A1'. */
export function cellAddress(row: number, col: number): string {
  return `${columnLetters(col)}${row + 1}`;
}

/** The text of a cell as a person reads it: what Excel shows, else the value. */
export function cellText(cell: Cell | null | undefined): string {
  if (!cell) return '';
  if (cell.text !== undefined && cell.kind !== 'number') return cell.text;
  return String(cell.value);
}

/**
 * Appends without `push(...items)`: spreading a large array into arguments overflows the call stack
 * (a file with 200 000 errors must still be reported, not crash).
 */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (let i = 0; i < items.length; i++) target.push(items[i]);
}
