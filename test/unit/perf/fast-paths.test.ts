/**
 * The shortcuts taken for big files give exactly what the general code gives: amounts of numeric cells,
 * tidied texts, issue order, duplicate lines.
 */
import { checkPreview } from '../../../import/check/check';
import { decimalOf } from '../../../src/kernel/money';
import type { Cell, IssueDraft } from '../../../import/common/model';
import { tidySpaces } from '../../../import/parse/sheet-reader';
import type { ParsedLine, ParseOutput } from '../../../import/parse/parsed.types';
import { exactCellAmount, parseAmount, type AmountOptions } from '../../../import/parse/values/amount';
import { packSheet, unpackSheet } from '../../../import/read/grid-transfer';
import { workbookToGrid, workbookToPacked } from '../../../import/read/xlsx.grid';
import { sortIssues } from '../../../import/preview/import-preview';
import type { ResolvedLine, ResolvedPreview } from '../../../import/resolve/resolve';
import { formatCents } from '../../../src/kernel/money';
import { FundingInstrument, FundingStage } from '../../../src/kernel/funding.enum';

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

const bigints = (_key: string, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value);

describe('exactCellAmount', () => {
  const values = [0, -0, 1, 0.5, 0.25, 10_000.25, 1_204_968.78, 0.1 + 0.2, 1 / 3, 12.345, 99.995, -5, -0.01, 1e13 - 0.01, 1e13, 1e16, 1e21, NaN, Infinity, 2022, 44_927];
  const formats: Array<string | undefined> = [undefined, '#,##0.00 €', 'dd/mm/yyyy', 'General', '0%'];
  const optionSets: AmountOptions[] = [{}, { multiplier: 1 }, { multiplier: 1000 }, { multiplier: 1000000 }, { allowLabel: true }, { decimalComma: true }];
  const next = random(7);
  for (let i = 0; i < 300; i++) values.push(Math.round(next() * 1e9) / 100, next() * 1e7, Math.round(next() * 1e6));

  it('reads a numeric cell exactly as parseAmount does, or leaves it to parseAmount', () => {
    let taken = 0;
    const differences: string[] = [];
    for (const value of values) {
      for (const format of formats) {
        for (const text of [undefined, String(value), 'affiché']) {
          const cell: Cell = { kind: 'number', value };
          if (format !== undefined) cell.format = format;
          if (text !== undefined) cell.text = text;
          for (const options of optionSets) {
            const exact = exactCellAmount(cell, options);
            if (exact === null) continue;
            taken++;
            const general = parseAmount(cell, options);
            const expected = { status: 'ok', amounts: [exact], warnings: [], text: exact.text };
            if (JSON.stringify(general, bigints) !== JSON.stringify(expected, bigints)) differences.push(JSON.stringify({ cell, options }));
          }
        }
      }
    }
    expect(differences).toEqual([]);
    expect(taken).toBeGreaterThan(5_000);
  });

  it('leaves negative, absurd, date and scaled cells to parseAmount', () => {
    expect(exactCellAmount({ kind: 'number', value: -5 }, {})).toBeNull();
    expect(exactCellAmount({ kind: 'number', value: 1e16 }, {})).toBeNull();
    expect(exactCellAmount({ kind: 'number', value: 44_927, format: 'dd/mm/yyyy' }, {})).toBeNull();
    expect(exactCellAmount({ kind: 'number', value: 12 }, { multiplier: 1000 })).toBeNull();
    expect(exactCellAmount({ kind: 'number', value: 12.345 }, {})).toBeNull();
    expect(exactCellAmount({ kind: 'string', value: '12' }, {})).toBeNull();
  });
});

describe('tidySpaces', () => {
  it('equals replace(/\\s+/g, " ").trim() on any text', () => {
    const pieces = ['a', 'Bé', ' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u202f', '\u2009', '\u3000', '\ufeff', '\u200b', '\u180e', '\u0001', '€', 'x y', ''];
    const next = random(11);
    const differences: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      const length = Math.floor(next() * 8);
      for (let k = 0; k < length; k++) text += pieces[Math.floor(next() * pieces.length)];
      if (tidySpaces(text) !== text.replace(/\s+/g, ' ').trim()) differences.push(JSON.stringify(text));
    }
    expect(differences).toEqual([]);
  });

  it('returns the text itself when there is nothing to change', () => {
    const text = 'Opération de test numéro 12 — rénovation';
    expect(tidySpaces(text)).toBe(text);
  });
});

describe('sortIssues', () => {
  function reference(issues: IssueDraft[]): IssueDraft[] {
    const rowOf = (cell: string | null) => Number(cell ? (/\d+$/.exec(cell)?.[0] ?? 0) : 0);
    const colOf = (cell: string | null) => {
      const letters = cell ? (/^[A-Z]+/.exec(cell)?.[0] ?? '') : '';
      let col = 0;
      for (const letter of letters) col = col * 26 + (letter.charCodeAt(0) - 64);
      return col;
    };
    const rank = (issue: IssueDraft) => (issue.severity === 'ERROR' ? 0 : 1);
    return [...issues].sort((a, b) => rank(a) - rank(b) || (a.sheet ?? '').localeCompare(b.sheet ?? '') || rowOf(a.cell) - rowOf(b.cell) || colOf(a.cell) - colOf(b.cell));
  }

  it('orders issues as the comparator it replaces, stable, the same objects', () => {
    const sheets = [null, 'Programmation', 'programmation', 'Élus', 'Eau', 'Zone', 'A', 'a'];
    const cells = [null, 'A1', 'B2', 'AA2', 'B10', 'Z9', 'AB100', 'C3', 'weird'];
    const next = random(3);
    const issues: IssueDraft[] = [];
    for (let i = 0; i < 3000; i++) {
      issues.push({
        severity: next() < 0.3 ? 'ERROR' : 'WARNING',
        code: `C${i}`,
        message: '',
        sheet: sheets[Math.floor(next() * sheets.length)],
        cell: cells[Math.floor(next() * cells.length)],
        value: null,
      });
    }
    const sorted = sortIssues(issues);
    expect(sorted.map((issue) => issue.code)).toEqual(reference(issues).map((issue) => issue.code));
    expect(new Set(sorted)).toEqual(new Set(issues));
  });
});

describe('duplicate lines', () => {
  function line(index: number, fields: Partial<ResolvedLine> & { year: number; stage?: FundingStage; instrument?: FundingInstrument }): ResolvedLine {
    const parsed: ParsedLine = {
      source: { sheet: 'F', cell: `B${index + 2}`, raw: String(index) },
      actionIndex: fields.actionIndex ?? null,
      funder: { kind: 'source' },
      programmeCode: null,
      beneficiary: null,
      year: fields.year,
      cents: 100n,
      approximate: false,
      stage: fields.stage ?? FundingStage.PLANNED,
      instrument: fields.instrument ?? FundingInstrument.SUBSIDY,
      costBase: null,
    };
    return { parsed, actionIndex: fields.actionIndex ?? null, funder: fields.funder ?? { id: 1 }, programmeId: fields.programmeId ?? null, beneficiary: fields.beneficiary ?? null };
  }

  it('finds every repeated line against the first of its kind, and only those', () => {
    const next = random(5);
    const lines: ResolvedLine[] = [];
    const expected: Array<[string, string]> = [];
    const firstByKey = new Map<string, string>();
    const targets = [{ id: 1 }, { id: 2 }, { id: 2 ** 33 }, { newKey: 'ademe' }, { newKey: 'drac' }, null];
    for (let i = 0; i < 5000; i++) {
      const fields = {
        actionIndex: next() < 0.1 ? null : Math.floor(next() * 40),
        funder: targets[Math.floor(next() * 5)]!,
        programmeId: next() < 0.5 ? null : Math.floor(next() * 3),
        beneficiary: targets[Math.floor(next() * targets.length)],
        year: 2020 + Math.floor(next() * 4),
        stage: next() < 0.5 ? FundingStage.PLANNED : FundingStage.GRANTED,
        instrument: next() < 0.5 ? FundingInstrument.SUBSIDY : FundingInstrument.LOAN,
      };
      // A fresh copy of the targets: equal, not the same objects.
      const copy = (t: (typeof targets)[number]) => (t === null ? null : { ...t });
      const made = line(i, { ...fields, funder: copy(fields.funder)!, beneficiary: copy(fields.beneficiary) });
      lines.push(made);
      const key = JSON.stringify([fields.actionIndex, fields.funder, fields.programmeId, fields.beneficiary, fields.year, fields.stage, fields.instrument]);
      const first = firstByKey.get(key);
      if (first) expected.push([made.parsed.source.cell, first]);
      else firstByKey.set(key, made.parsed.source.cell);
    }
    const parsed: ParseOutput = { layout: '', actions: [], lines: lines.map((l) => l.parsed), totals: [], issues: [] };
    const resolved: ResolvedPreview = { actions: [], lines, newOrganisations: [], issues: [] };
    const issues = checkPreview(parsed, resolved, { startYear: 2000, endYear: 2100, warnOutsidePeriod: true });
    expect(expected.length).toBeGreaterThan(100);
    expect(issues.map((issue) => [issue.cell, /cellule (\S+)/.exec(issue.message)![1]])).toEqual(expected);
  });
});

describe('row-by-row packing in the worker', () => {
  it('gives what converting then packing gave, for dense and sparse sheets, with gaps, merges and hidden sheets', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const XLSX = require('xlsx') as typeof import('xlsx');
    const book = XLSX.utils.book_new();
    const aoa: unknown[][] = [['N°', 'Intitulé', 2021, 2022], [], ['A-1', 'Rénovation', 1000.5, null], [null, null, null, null], ['A-2', 'Subvention', 'Subvention', true]];
    for (let r = 0; r < 300; r++) aoa.push([`B-${r}`, r % 3 ? 'Prêt' : 'Subvention', r * 10.25, r % 7 ? null : 'En cours']);
    const sheet = XLSX.utils.aoa_to_sheet(aoa);
    sheet['!merges'] = [{ s: { r: 0, c: 0 }, e: { r: 1, c: 0 } }];
    sheet['F3'] = { t: 'n', v: 3, f: 'A1*2', z: '0.00' };
    XLSX.utils.book_append_sheet(book, sheet, 'Programmation');
    XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet([['caché']]), 'Cachée');
    XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet([[], [], ['x', null, 'y']]), 'Listes');
    book.Workbook = { Sheets: [{ name: 'Programmation', Hidden: 0 }, { name: 'Cachée', Hidden: 1 }, { name: 'Listes', Hidden: 0 }] };
    const bytes = XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
    for (const dense of [true, false]) {
      const options = { type: 'buffer' as const, dense, cellFormula: true, cellNF: true, cellText: true, sheetStubs: true };
      const grid = workbookToGrid(XLSX.read(bytes, options), 'xlsx');
      const packed = workbookToPacked(XLSX.read(bytes, options), 'xlsx');
      expect(packed.skippedSheets).toEqual(grid.skippedSheets);
      expect(packed.sheets).toEqual(grid.sheets.map(packSheet));
      expect(packed.sheets.map(unpackSheet)).toEqual(grid.sheets);
    }
  });
});

describe('decimalOf', () => {
  it('formats cents as formatCents does', () => {
    const values = [0n, 1n, 9n, 10n, 99n, 100n, 101n, 123456789n, 999_999_999_999_999n, 9_007_199_254_740_991n, 9_007_199_254_740_992n, 10n ** 20n, -1n, -12345n];
    for (let k = 0n; k < 200n; k++) values.push(10n ** 15n - k, 2n ** 53n - k, 100n * 12345678901234n - k, 100n * k - 1n);
    const next = random(9);
    for (let i = 0; i < 5000; i++) values.push(BigInt(Math.floor(next() * 2 ** 30)) * BigInt(Math.floor(next() * 2 ** 23)));
    const differences = values.filter((cents) => decimalOf(cents) !== formatCents(cents));
    expect(differences).toEqual([]);
    expect(decimalOf(-12345n)).toBe('-123.45');
  });
});
