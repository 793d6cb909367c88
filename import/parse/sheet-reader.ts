import { Cell, cellText, columnLetters, IssueDraft, SheetGrid } from '../common/model';
import { AmountOptions, exactCellAmount, ParsedAmount, parseAmount } from './values/amount';
import { parseDate } from './values/date';
import { parseYear } from './values/year';
import { SourceRef } from './parsed.types';

/**
 * Reads typed values out of one sheet and turns every problem into an issue at its cell: the small
 * shared vocabulary of the kind parsers.
 */
export class SheetReader {
  readonly issues: IssueDraft[] = [];

  /** Column letters by column: a file of 100 000 amounts names the same few columns over and over. */
  private readonly letters: string[] = [];

  constructor(readonly sheet: SheetGrid) {}

  cell(row: number, col: number): Cell | null {
    return this.sheet.rows[row]?.[col] ?? null;
  }

  /** 'A1' style, as cellAddress. */
  address(row: number, col: number): string {
    let letters = this.letters[col];
    if (letters === undefined) {
      letters = columnLetters(col);
      this.letters[col] = letters;
    }
    return letters + (row + 1);
  }

  source(row: number, col: number): SourceRef {
    return { sheet: this.sheet.name, cell: this.address(row, col), raw: cellText(this.cell(row, col)) };
  }

  /** The source of a cell an amount was just read from: a number cell's text is the amount's (converted once). */
  amountSource(row: number, col: number, amount: ParsedAmount): SourceRef {
    const cell = this.cell(row, col);
    const raw = cell !== null && cell.kind === 'number' && cell.text === undefined ? amount.text : cellText(cell);
    return { sheet: this.sheet.name, cell: this.address(row, col), raw };
  }

  issue(severity: IssueDraft['severity'], code: string, message: string, row: number | null, col: number | null): void {
    const inCell = row !== null && col !== null;
    this.issues.push({
      severity,
      code,
      message,
      sheet: this.sheet.name,
      cell: inCell ? this.address(row, col) : null,
      value: inCell ? cellText(this.cell(row, col)) || null : null,
    });
  }

  /** Text of a cell, trimmed; null when empty. */
  text(row: number, col: number | undefined): string | null {
    if (col === undefined) return null;
    const text = tidySpaces(cellText(this.cell(row, col)));
    return text ? text : null;
  }

  /** The amounts of a cell (several only with allowMultiple); problems become issues here. */
  amounts(row: number, col: number, options: AmountOptions = {}): ParsedAmount[] {
    const result = parseAmount(this.cell(row, col), options);
    if (result.status === 'empty') return [];
    if (result.status === 'error') {
      this.issue('ERROR', result.code, result.message, row, col);
      return [];
    }
    for (const warning of result.warnings) this.issue('WARNING', warning.code, warning.message, row, col);
    return result.amounts;
  }

  /** One amount, or null (empty or wrong: a wrong one is already an issue). */
  amount(row: number, col: number, options: AmountOptions = {}): ParsedAmount | null {
    const cell = this.cell(row, col);
    if (cell !== null && cell.kind === 'number') {
      const exact = exactCellAmount(cell, options);
      if (exact !== null) return exact;
    }
    return this.amounts(row, col, options)[0] ?? null;
  }

  year(row: number, col: number, options: { min?: number; max?: number } = {}): number | null {
    const result = parseYear(this.cell(row, col), options);
    if (result.status === 'ok') return result.year;
    if (result.status === 'error') this.issue('ERROR', result.code, result.message, row, col);
    return null;
  }

  /** A date as ISO 'YYYY-MM-DD', or null (empty or wrong: a wrong one is already an issue). */
  date(row: number, col: number): string | null {
    const result = parseDate(this.cell(row, col));
    if (result.status === 'ok') return result.date;
    if (result.status === 'error') this.issue('ERROR', result.code, result.message, row, col);
    return null;
  }

  /** A vocabulary word (status, stage, instrument, cost base, credit nature) through one of the values parsers; `severity` of an unknown word. */
  word<T>(
    row: number,
    col: number | undefined,
    parse: (cell: Cell | null) => { status: 'empty' } | { status: 'ok'; value: T } | { status: 'error'; code: string; message: string },
    severity: IssueDraft['severity'] = 'ERROR',
  ): T | null {
    if (col === undefined) return null;
    const result = parse(this.cell(row, col));
    if (result.status === 'ok') return result.value;
    // A formula's error is always an error: the cell says nothing.
    if (result.status === 'error') this.issue(result.code === 'FORMULA_ERROR' ? 'ERROR' : severity, result.code, result.message, row, col);
    return null;
  }
}

/** What `\s` matches beyond ASCII (no-break, ogham, en…hair, line and paragraph separators, narrow, math, ideographic spaces, BOM). */
function isWideSpace(code: number): boolean {
  return code === 0xa0 || code === 0x1680 || code === 0x180e || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

/**
 * `text.replace(/\s+/g, ' ').trim()`, without the regular expression for the usual text that has nothing
 * to change (single inner spaces): checked in one pass, rewritten only when needed.
 */
export function tidySpaces(text: string): string {
  const n = text.length;
  let previousSpace = true;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code === 32) {
      if (previousSpace) return text.replace(/\s+/g, ' ').trim();
      previousSpace = true;
    } else if (code < 32 || (code >= 0xa0 && isWideSpace(code))) {
      return text.replace(/\s+/g, ' ').trim();
    } else {
      previousSpace = false;
    }
  }
  return n > 0 && previousSpace ? text.replace(/\s+/g, ' ').trim() : text;
}
