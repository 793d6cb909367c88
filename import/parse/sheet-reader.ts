import { Cell, cellAddress, cellText, IssueDraft, SheetGrid } from '../model';
import { AmountOptions, ParsedAmount, parseAmount } from './values/amount';
import { parseYear } from './values/year';
import { SourceRef } from './parsed.types';

/**
 * Reads typed values out of one sheet and turns every problem into an issue at its cell: the small
 * shared vocabulary of the kind parsers.
 */
export class SheetReader {
  readonly issues: IssueDraft[] = [];

  constructor(readonly sheet: SheetGrid) {}

  cell(row: number, col: number): Cell | null {
    return this.sheet.rows[row]?.[col] ?? null;
  }

  source(row: number, col: number): SourceRef {
    return { sheet: this.sheet.name, cell: cellAddress(row, col), raw: cellText(this.cell(row, col)) };
  }

  issue(severity: IssueDraft['severity'], code: string, message: string, row: number | null, col: number | null): void {
    const inCell = row !== null && col !== null;
    this.issues.push({
      severity,
      code,
      message,
      sheet: this.sheet.name,
      cell: inCell ? cellAddress(row, col) : null,
      value: inCell ? cellText(this.cell(row, col)) || null : null,
    });
  }

  /** Text of a cell, trimmed; null when empty. */
  text(row: number, col: number | undefined): string | null {
    if (col === undefined) return null;
    const text = cellText(this.cell(row, col)).replace(/\s+/g, ' ').trim();
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
    return this.amounts(row, col, options)[0] ?? null;
  }

  year(row: number, col: number, options: { min?: number; max?: number } = {}): number | null {
    const result = parseYear(this.cell(row, col), options);
    if (result.status === 'ok') return result.year;
    if (result.status === 'error') this.issue('ERROR', result.code, result.message, row, col);
    return null;
  }

  /** A vocabulary word (status, stage, instrument, cost base) through one of the values parsers. */
  word<T>(row: number, col: number | undefined, parse: (cell: Cell | null) => { status: 'empty' } | { status: 'ok'; value: T } | { status: 'error'; code: string; message: string }): T | null {
    if (col === undefined) return null;
    const result = parse(this.cell(row, col));
    if (result.status === 'ok') return result.value;
    if (result.status === 'error') this.issue('ERROR', result.code, result.message, row, col);
    return null;
  }
}
