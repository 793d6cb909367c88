/**
 * Years, in a cell (`parseYear`) or in a column header (`parseYearHeader`).
 *
 * parseYear rules:
 * - numbers 2022 and 2022.0 (the same double), text "2022", " 2022 ", "2022.0", "Année 2022", "an 2022",
 *   "exercice 2022" → 2022, when within [min, max] (1950–2100 by default);
 * - empty, "-" → empty;
 * - two years ("2022-2023", "2022/2023", "2022 et 2023") → YEAR_INVALID: one year per line or column;
 * - a date ("01/01/2022", or a serial in a date-formatted cell) → YEAR_INVALID: write the year only;
 * - two digits (22) → YEAR_INVALID: write four digits (never guessed as 2022);
 * - four digits out of range (1899: often a date-formatted cell showing a serial near zero) → YEAR_INVALID;
 * - words ("deux mille"), decimals (2022.5), booleans → YEAR_INVALID; error cells → FORMULA_ERROR.
 *
 * parseYearHeader: a header names a year column when it holds exactly one run of digits, four long and
 * within range, whatever words surround it: "2021", "Année 2021", "2021 (€)", "Montant 2022",
 * "2022\n(en k€)". Ranges ("2021-2026"), axis numbers ("Sous-axe 2.1") and anything else → null.
 */
import { foldAccents } from '../../../src/kernel/normalise-text';
import { excelSerialToIso, frenchDate } from './date';
import {
  ValueInput,
  formulaErrorMessage,
  isDateFormat,
  isDigitChar,
  isFormulaErrorText,
  isLetterChar,
  quote,
  trimBlank,
  viewInput,
} from './shared';

export interface YearOptions {
  min?: number;
  max?: number;
}

export type YearErrorCode = 'YEAR_INVALID' | 'FORMULA_ERROR';
export type YearResult =
  | { status: 'empty' }
  | { status: 'ok'; year: number }
  | { status: 'error'; code: YearErrorCode; message: string };

const MAX_YEAR_TEXT = 60;
const MAX_HEADER_TEXT = 200;
/** Words that may stand beside a year in a year cell. */
const YEAR_WORDS = new Set(['annee', 'an', 'exercice', 'millesime', 'en', 'l', 'budget', 'budgetaire']);

function invalid(message: string): YearResult {
  return { status: 'error', code: 'YEAR_INVALID', message };
}

function example(min: number, max: number): string {
  const now = 2022;
  return String(now >= min && now <= max ? now : min);
}

function fromInteger(value: number, shown: string, min: number, max: number): YearResult {
  if (value >= min && value <= max) return { status: 'ok', year: value };
  if (value >= 0 && value < 100) {
    const guess = 2000 + value;
    const hint = guess >= min && guess <= max ? guess : example(min, max);
    return invalid(`${quote(shown)} : écrivez l'année sur quatre chiffres, par exemple ${hint}.`);
  }
  if (value >= 1000 && value <= 9999) {
    return invalid(
      `${quote(shown)} n'est pas une année plausible (attendue entre ${min} et ${max}). ` +
        `Si la cellule est au format date, passez-la au format nombre ; ` +
        `écrivez l'année sur quatre chiffres, par exemple ${example(min, max)}.`,
    );
  }
  const iso = value > 0 ? excelSerialToIso(value) : null;
  if (iso !== null && Number(iso.slice(0, 4)) >= min && Number(iso.slice(0, 4)) <= max) {
    return invalid(
      `${quote(shown)} n'est pas une année : c'est peut-être une date Excel (${frenchDate(iso)}). ` +
        `Écrivez seulement l'année, sur quatre chiffres, par exemple ${iso.slice(0, 4)}.`,
    );
  }
  return invalid(`${quote(shown)} n'est pas une année : écrivez l'année sur quatre chiffres, par exemple ${example(min, max)}.`);
}

interface Scan {
  digits: Array<{ text: string; start: number; end: number }>;
  words: string[];
  symbols: string;
}

/** Splits a short text into runs of digits, words (folded) and the other characters. */
function scan(text: string): Scan {
  const digits: Scan['digits'] = [];
  const words: string[] = [];
  let symbols = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (isDigitChar(c)) {
      let j = i + 1;
      while (j < text.length && isDigitChar(text[j])) j++;
      digits.push({ text: text.slice(i, j), start: i, end: j });
      i = j;
    } else if (isLetterChar(c)) {
      let j = i + 1;
      while (j < text.length && isLetterChar(text[j])) j++;
      words.push(foldAccents(text.slice(i, j)));
      i = j;
    } else {
      if (c.trim() !== '') symbols += c;
      i++;
    }
  }
  return { digits, words, symbols };
}

function parseYearText(raw: string, min: number, max: number): YearResult {
  const text = trimBlank(raw);
  if (text === '' || text === '-' || text === '–' || text === '—') return { status: 'empty' };
  if (isFormulaErrorText(text)) return { status: 'error', code: 'FORMULA_ERROR', message: formulaErrorMessage(text) };
  const ask = `écrivez seulement l'année, sur quatre chiffres, par exemple ${example(min, max)}`;
  if (text.length > MAX_YEAR_TEXT) return invalid(`${quote(text)} n'est pas une année : ${ask}.`);
  const { digits, words, symbols } = scan(text);
  if (digits.length === 0) return invalid(`${quote(text)} n'est pas une année en chiffres : ${ask}.`);
  // "2022.0" / "2022,00": a number written with decimals of zero.
  if (digits.length === 2 && words.length === 0 && /^0+$/.test(digits[1].text) && (symbols === '.' || symbols === ',')) {
    return fromInteger(Number(digits[0].text), text, min, max);
  }
  const fourDigit = digits.filter((d) => d.text.length === 4);
  if (digits.length === 3 && /^[/.-]+$/.test(symbols)) {
    return invalid(`${quote(text)} est une date, pas une année : ${ask}.`);
  }
  if (fourDigit.length >= 2) {
    return invalid(
      `${quote(text)} contient plusieurs années : une seule année par ligne (ou par colonne) ; ` +
        `répartissez les montants sur une ligne par année.`,
    );
  }
  if (digits.length > 1) return invalid(`${quote(text)} n'est pas une année : ${ask}.`);
  if (words.some((w) => !YEAR_WORDS.has(w)) || /[^:.()]/.test(symbols)) {
    return invalid(`${quote(text)} n'est pas une année : ${ask}.`);
  }
  const run = digits[0].text;
  if (run.length > 6) return invalid(`${quote(text)} n'est pas une année : ${ask}.`);
  return fromInteger(Number(run), text, min, max);
}

/** A year cell → the year (see the rules at the top of this file). */
export function parseYear(input: ValueInput, options: YearOptions = {}): YearResult {
  const min = options.min ?? 1950;
  const max = options.max ?? 2100;
  const view = viewInput(input);
  switch (view.kind) {
    case 'empty':
      return { status: 'empty' };
    case 'error':
      return { status: 'error', code: 'FORMULA_ERROR', message: formulaErrorMessage(view.value) };
    case 'boolean':
      return invalid(`${quote(view.display)} n'est pas une année : écrivez l'année sur quatre chiffres, par exemple ${example(min, max)}.`);
    case 'string':
      return parseYearText(view.value, min, max);
    case 'number': {
      const { value, display, format } = view;
      if (!Number.isFinite(value) || !Number.isInteger(value)) {
        return invalid(`${quote(display)} n'est pas une année : écrivez l'année sur quatre chiffres, par exemple ${example(min, max)}.`);
      }
      if ((value < min || value > max) && isDateFormat(format)) {
        const iso = excelSerialToIso(value);
        const shown = iso ? frenchDate(iso) : display;
        return invalid(
          `${quote(shown)} est une date, pas une année : mettez la cellule au format nombre et écrivez ` +
            `seulement l'année${iso ? `, par exemple ${iso.slice(0, 4)}` : ''}.`,
        );
      }
      return fromInteger(value, String(value), min, max);
    }
  }
}

/**
 * A column header → the year it names, or null. Accepts a cell (a number 2021 or a text), a string or
 * a number.
 */
export function parseYearHeader(input: ValueInput, options: YearOptions = {}): number | null {
  const min = options.min ?? 1950;
  const max = options.max ?? 2100;
  const view = viewInput(input);
  if (view.kind === 'number') {
    return Number.isInteger(view.value) && view.value >= min && view.value <= max ? view.value : null;
  }
  if (view.kind !== 'string' || view.value.length > MAX_HEADER_TEXT) return null;
  const { digits } = scan(view.value);
  if (digits.length !== 1 || digits[0].text.length !== 4) return null;
  const year = Number(digits[0].text);
  return year >= min && year <= max ? year : null;
}
