/**
 * Amounts of money as partners type them → exact cents (bigint), or a problem.
 *
 * READING
 * - Numeric cells (xlsx doubles) are read at Excel's own precision, 15 significant digits
 *   (`toPrecision(15)`, parsed as a decimal string with its exponent, never multiplied as a float):
 *   1204968.78 → 120496878n, and a formula's binary noise (0.1 + 0.2 = 0.30000000000000004) is not taken
 *   for a third decimal. NaN, ±Infinity and anything over DECIMAL(15,2) (9 999 999 999 999,99 €, e.g.
 *   1e21) → AMOUNT_ABSURD; below zero → AMOUNT_NEGATIVE; a cell with a date number format → AMOUNT_INVALID.
 * - Text is cut into tokens by one linear pass (numbers, words, symbols; no regular expression on the
 *   text, which is first capped at 200 characters — 1 000 with `allowMultiple` — beyond which it is
 *   AMOUNT_INVALID). Spaces may be ordinary, tab, NBSP (U+00A0), narrow NBSP (U+202F), thin or figure
 *   spaces.
 * - Units: `€`, `EUR`, `euro(s)` (before or after), `k€` / `K€` / `KEUR` / `k EUR` (×1 000), `M€` / `MEUR` /
 *   `million(s) (d'euros)` (×1 000 000), `Md€` / `Mds€` / `Mrd€` / `milliard(s)` (×10⁹), and an attached
 *   `300K` / `20M`. A unit written in the cell replaces `options.multiplier` (the unit of the header); a
 *   plain number takes the header's. Scaling is done on the decimal digits: 2,5 M€ = 25 × 10⁵ € exactly.
 * - More than two decimals (after scaling) → rounded half-up to the cent, `rounded: true`, warning
 *   AMOUNT_ROUNDED.
 * - Nothing, `-`, `–`, `—`, `/`, `€` alone, `néant` → { status: 'empty' }. `0` → ok, zero.
 * - `Environ`, `env.`, `~`, `≈`, `±`, `près de`, `à peu près`, `de l'ordre de`, `autour de`, `plus de`,
 *   `moins de`, `estimation`, a trailing `?` → `approximate: true`, warning AMOUNT_APPROXIMATE.
 * - A minus sign before the number (`-500`, `– 500 €`) or accounting parentheses (`(500)`) →
 *   AMOUNT_NEGATIVE. Error cells and error texts (`#DIV/0!`, `#REF!`, `#N/A`, `#VALEUR!`…) →
 *   FORMULA_ERROR.
 *
 * SEPARATORS — how a number's digits are grouped (the disambiguation rules; nothing is guessed silently):
 *  1. Spaces only join groups of exactly three digits after a first group of one to three digits:
 *     `1 234 567` is one number; `2021 100 000 €` is 2021 then 100 000 €; `1 2345` is two numbers.
 *  2. A comma or dot used several times is a thousands separator (`1.234.567`, `1,234,567`); every group
 *     after the first must have three digits, or the value is AMOUNT_INVALID.
 *  3. Both a comma and a dot: the last one, used once, is the decimal mark, the other the thousands
 *     separator (`1.234.567,89`, `1,234,567.89`); anything else (spaces as well, a decimal mark used
 *     twice, groups not of three) → AMOUNT_INVALID.
 *  4. A single comma or dot followed by one, two or four and more digits is the decimal mark
 *     (`950000,50`, `1234567.89`, `2,5`, `1 234 567,89`).
 *  5. A single comma or dot followed by exactly three digits can be a decimal mark or a thousands
 *     separator. It is read as a decimal mark when that is the only reading: the part before is zero
 *     (`0,500`) or has more than three digits (`1234,567`). Otherwise the context must decide:
 *     - `options.decimalComma === true` (a CSV file with decimal commas): comma = decimal, dot = thousands;
 *     - `options.decimalComma === false` (a CSV with decimal points): dot = decimal, comma = thousands;
 *     - a scale unit (k€, M€, Md€, or a header in k€ / M€) with a comma: the comma is the decimal mark
 *       (`1,050 M€` = 1 050 000 €: French writes decimals with a comma, and nobody writes thousands of
 *       millions that way), but a dot there stays ambiguous;
 *     - else → AMOUNT_AMBIGUOUS, and the message gives both readings (`1,050` = 1 050 € or 1,05 €).
 *     With spaces already grouping thousands (`1 234,567`), only `decimalComma` can decide (comma as
 *     decimal when true, dot as decimal when false); else AMOUNT_AMBIGUOUS.
 *  6. A comma or dot followed by spaces-grouped thousands mixes two thousands separators, or puts spaces
 *     into decimals: `1,050 000 €` → AMOUNT_AMBIGUOUS (1 050 000 € or 1,05 €), whatever the options.
 *  7. A number with a leading zero (`002 €`, `0123`) is AMOUNT_INVALID, except `0` and `0,xx`.
 *  8. An exponent (`1,5E+07`, `1e21`, as CSV exports write large numbers) scales the decimal digits.
 *
 * ONE AMOUNT (default)
 * The cell must hold one number, its unit, and around it only currency words, approximation words, HT /
 * TTC, `montant`, `prêt` / `subvention` (which set `instrument`) and punctuation. Free words after the
 * number are allowed only once a currency or unit has closed it (`5 247 534,67 € modulation incluse`);
 * several numbers → AMOUNT_INVALID (one amount per cell).
 * With `allowLabel`, the text before the first colon (or the free words before the number) is the label:
 * `DRAC : 1 500 000` → 1 500 000 €, label 'DRAC'; `Agence de l'eau : 1,4 M€` → 1 400 000 €.
 *
 * SEVERAL AMOUNTS (`allowMultiple`, the annex 2 cells)
 * A cell that reads as one amount (above) is one amount. Otherwise it is prose, and only money is read
 * from it: a number followed by a currency or unit (`€`, `M€`, `millions d'euros`…) or introduced by
 * `montant` (`pour un montant de 11 993 378`). Every other number is a count (dossiers, heures,
 * entreprises, years) and is ignored, with a warning AMOUNT_NOT_MONEY that names them (years 1900–2100
 * are not named). So:
 * - `1 168 000 € 5 090 168 €` → two amounts + AMOUNT_MULTIPLE;
 * - `20 M€ en prêt et 5 M€ en subv.` → 20 000 000 € LOAN and 5 000 000 € SUBSIDY, without
 *   AMOUNT_MULTIPLE because each is told apart by its instrument (the instrument word right after the
 *   amount, else right before it: `prêt de 20 M€`);
 * - `26 340 040 € pour 3 016 063 heures` → 26 340 040 € + AMOUNT_NOT_MONEY (3 016 063);
 * - `1 dossier pour 100 000 €` → 100 000 € + AMOUNT_NOT_MONEY (1);
 * - prose without money (`Données disponibles uniquement au niveau département…`) → ok with no amount
 *   and a warning AMOUNT_NOT_MONEY: the text is kept, no money is made up;
 * - a money number glued by a single space to a preceding number that is not a year (`5275 002 €`) is
 *   irregular grouping → AMOUNT_INVALID; after a year (`en 2020 12 637 501 €`) it is read as is;
 * - any money error (ambiguous, absurd such as `21 835 845 M€`, negative) makes the whole cell an error:
 *   the partner fixes the cell.
 * Each amount's `text` is then the piece it was read from (`20 M€`); the result's `text` is the whole
 * cell, verbatim.
 */
import { formatEuros, groupThousands } from '../../../src/kernel/format-euros';
import { MAX_MONEY_CENTS } from '../../../src/kernel/money';
import { foldAccents } from '../../../src/kernel/normalise-text';
import { AMOUNT_INSTRUMENT_WORDS } from './vocabulary.data';
import {
  ValueInput,
  formulaErrorMessage,
  isBlank,
  isBlankCode,
  isDateFormat,
  isDigitCode,
  isFormulaErrorText,
  isLetterChar,
  isLetterCode,
  isSpaceChar,
  isSpaceCode,
  quote,
  trimBlank,
  viewInput,
} from './shared';
import type { IssueCode } from '../../common/issue-codes';
import type { Cell } from '../../common/model';

export interface AmountOptions {
  /** The unit the column header states: k€ → 1000, M€ → 1 000 000. Applies to numbers without a unit. */
  multiplier?: 1 | 1000 | 1000000;
  /** Read several amounts from one cell of prose (annex 2). */
  allowMultiple?: boolean;
  /** Accept a funder's name before the amount ("DRAC : 1 500 000"). */
  allowLabel?: boolean;
  /** What the file uses as decimal mark, when known (CSV detection): decides `1,050` and `1.050`. */
  decimalComma?: boolean;
}

export type AmountErrorCode = 'AMOUNT_INVALID' | 'AMOUNT_AMBIGUOUS' | 'AMOUNT_NEGATIVE' | 'AMOUNT_ABSURD' | 'FORMULA_ERROR';
export type AmountWarningCode = 'AMOUNT_APPROXIMATE' | 'AMOUNT_MULTIPLE' | 'AMOUNT_ROUNDED' | 'AMOUNT_NOT_MONEY';

// Every code used here is a known issue code.
type AssertCodes<T extends IssueCode> = T;
export type AmountCodes = AssertCodes<AmountErrorCode | AmountWarningCode>;

export interface AmountWarning {
  code: AmountWarningCode;
  message: string;
}

export interface ParsedAmount {
  cents: bigint;
  approximate: boolean;
  instrument?: 'LOAN' | 'SUBSIDY';
  label?: string;
  /** True when more than two decimals were rounded to the cent. */
  rounded?: boolean;
  /** The text the amount was read from: the whole cell, or its piece when a cell holds several. */
  text: string;
}

export type AmountResult =
  | { status: 'empty' }
  | { status: 'ok'; amounts: ParsedAmount[]; warnings: AmountWarning[]; text: string }
  | { status: 'error'; code: AmountErrorCode; message: string };

const MAX_AMOUNT_TEXT = 200;
const MAX_MULTIPLE_AMOUNT_TEXT = 1000;

// ---------------------------------------------------------------------------------------------------
// tokens
// ---------------------------------------------------------------------------------------------------

interface NumTok {
  t: 'num';
  start: number;
  end: number;
  /** Digit groups, the first possibly '' for ",5". */
  groups: string[];
  /** seps[i] sits between groups[i] and groups[i + 1]: ',', '.' or ' ' (any space). */
  seps: string[];
  /** Power of ten written after the digits ("1,5E+07"). */
  exp: number;
}
interface WordTok {
  t: 'word';
  start: number;
  end: number;
  /** Folded: lower case, no accents. */
  w: string;
  raw: string;
}
interface SymTok {
  t: 'sym';
  start: number;
  end: number;
  c: string;
}
type Tok = NumTok | WordTok | SymTok;

const COMMA = 0x2c;
const DOT = 0x2e;

function isMarkCode(code: number): boolean {
  return code === COMMA || code === DOT;
}

function scanNumber(s: string, from: number, toks: Tok[]): number {
  const n = s.length;
  const groups: string[] = [];
  const seps: string[] = [];
  let i = from;
  if (isMarkCode(s.charCodeAt(i))) {
    groups.push('');
    seps.push(s[i]);
    i++;
  }
  let j = i;
  while (j < n && isDigitCode(s.charCodeAt(j))) j++;
  groups.push(s.slice(i, j));
  i = j;
  // Whether the groups so far could all be thousands groups: a first group of 1–3 digits, then threes.
  let regular = seps.length === 0 && j - from >= 1 && j - from <= 3;
  let hasSpace = false;
  while (i + 1 < n) {
    const code = s.charCodeAt(i);
    if (isMarkCode(code) && isDigitCode(s.charCodeAt(i + 1))) {
      let k = i + 1;
      while (k < n && isDigitCode(s.charCodeAt(k))) k++;
      seps.push(code === COMMA ? ',' : '.');
      groups.push(s.slice(i + 1, k));
      regular = regular && k - i - 1 === 3;
      i = k;
      continue;
    }
    if (regular && isSpaceCode(code) && isDigitCode(s.charCodeAt(i + 1))) {
      let k = i + 1;
      while (k < n && isDigitCode(s.charCodeAt(k))) k++;
      if (k - i - 1 === 3) {
        seps.push(' ');
        groups.push(s.slice(i + 1, k));
        hasSpace = true;
        i = k;
        continue;
      }
    }
    break;
  }
  let exp = 0;
  const e = s.charCodeAt(i);
  if (!hasSpace && i + 1 < n && (e === 0x65 || e === 0x45)) {
    let k = i + 1;
    let sign = 1;
    const signCode = s.charCodeAt(k);
    if (signCode === 0x2b || signCode === 0x2d) {
      sign = signCode === 0x2d ? -1 : 1;
      k++;
    }
    let m = k;
    while (m < n && isDigitCode(s.charCodeAt(m))) m++;
    if (m > k && m - k <= 3 && !(m < n && isLetterCode(s.charCodeAt(m)))) {
      exp = sign * Number(s.slice(k, m));
      i = m;
    }
  }
  toks.push({ t: 'num', start: from, end: i, groups, seps, exp });
  return i;
}

/** One linear pass over a bounded text. */
function tokenise(s: string): Tok[] {
  const toks: Tok[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    const code = s.charCodeAt(i);
    if (isBlankCode(code)) {
      i++;
      continue;
    }
    if (
      isDigitCode(code) ||
      (isMarkCode(code) &&
        i + 1 < n &&
        isDigitCode(s.charCodeAt(i + 1)) &&
        (i === 0 || !(isDigitCode(s.charCodeAt(i - 1)) || isLetterCode(s.charCodeAt(i - 1)))))
    ) {
      i = scanNumber(s, i, toks);
      continue;
    }
    if (isLetterCode(code)) {
      let j = i + 1;
      while (j < n && isLetterCode(s.charCodeAt(j))) j++;
      const raw = s.slice(i, j);
      toks.push({ t: 'word', start: i, end: j, w: foldAccents(raw), raw });
      i = j;
      continue;
    }
    toks.push({ t: 'sym', start: i, end: i + 1, c: s[i] });
    i++;
  }
  return toks;
}

// ---------------------------------------------------------------------------------------------------
// words around numbers
// ---------------------------------------------------------------------------------------------------

const CURRENCY_WORDS = new Set(['eur', 'euro', 'euros']);
const APPROX_WORDS = new Set([
  'environ',
  'env',
  'envir',
  'approx',
  'approximativement',
  'approximatif',
  'approximative',
  'estimation',
  'estime',
  'estimee',
  'estimes',
  'estimees',
  'estimatif',
  'estimative',
  'circa',
  'presque',
  'quasi',
  'quasiment',
]);
/** Approximation words that need a following "de": "près de", "plus de", "autour de", "l'ordre de". */
const APPROX_WITH_DE = new Set(['pres', 'plus', 'moins', 'autour', 'ordre']);
const PEU = new Set(['peu']);
const APPROX_SYMS = new Set(['~', '≈', '∼', '≃', '±', '?', '≅']);
const FILLER_WORDS = new Set(['de', 'd', 'du', 'des', 'l', 'la', 'le', 'les', 'un', 'une', 'a', 'en', 'au', 'aux', 'peu', 'sous', 'forme', 'soit']);
const COST_WORDS = new Set(['ht', 'ttc', 'hors', 'taxe', 'taxes', 'tva', 'toutes', 'comprises', 'h', 't', 'c']);
const MONTANT_WORDS = new Set(['montant', 'montants']);
const EMPTY_WORDS = new Set(['neant']);
const MINUS_SYMS = new Set(['-', '–', '—', '−', '‐', '‑', '‒']);
const SEPARATOR_SYMS = new Set([':', '(', ')', '[', ']', '+', '.', ',', ';', '*', '/', '=', '"', '«', '»', "'", '’', '!', '…']);
/** Symbols that make a number something else than euros. */
const FOREIGN_SYMS = new Set(['%', '$', '£', '¥', '‰', '₣', '°']);
const APOSTROPHES = new Set(["'", '’', '‘', 'ʼ']);

function stem(w: string): string {
  return w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w;
}
const LOAN_WORDS = new Set(AMOUNT_INSTRUMENT_WORDS.LOAN.map((w) => stem(foldAccents(w))));
const SUBSIDY_WORDS = new Set(AMOUNT_INSTRUMENT_WORDS.SUBSIDY.map((w) => stem(foldAccents(w))));

function instrumentOf(t: Tok | undefined): 'LOAN' | 'SUBSIDY' | undefined {
  if (!t || t.t !== 'word') return undefined;
  const w = stem(t.w);
  if (LOAN_WORDS.has(w)) return 'LOAN';
  if (SUBSIDY_WORDS.has(w)) return 'SUBSIDY';
  return undefined;
}

function isCurrency(t: Tok | undefined): boolean {
  return !!t && ((t.t === 'sym' && t.c === '€') || (t.t === 'word' && CURRENCY_WORDS.has(t.w)));
}

function isWord(t: Tok | undefined, words: ReadonlySet<string>): boolean {
  return !!t && t.t === 'word' && words.has(t.w);
}

function isSym(t: Tok | undefined, syms: ReadonlySet<string>): boolean {
  return !!t && t.t === 'sym' && syms.has(t.c);
}

function isApproxAt(toks: Tok[], k: number): boolean {
  const t = toks[k];
  if (t.t === 'sym') return APPROX_SYMS.has(t.c);
  if (t.t !== 'word') return false;
  if (APPROX_WORDS.has(t.w)) return true;
  if (t.w === 'pres' && k > 0 && isWord(toks[k - 1], PEU)) return true; // "à peu près"
  if (APPROX_WITH_DE.has(t.w)) {
    const next = toks[k + 1];
    return !!next && next.t === 'word' && (next.w === 'de' || next.w === 'd');
  }
  return false;
}

interface Unit {
  /** Power of ten of the unit: 0 for €, 3 for k€, 6 for M€, 9 for Md€. */
  pow: number;
  /** True when the unit names the currency (€, EUR, k€…): the number is money. */
  currency: boolean;
  /** Index of the first token after the unit. */
  next: number;
}

const SCALE_LETTERS: Record<string, number> = { k: 3, m: 6, md: 9, mds: 9, mrd: 9, mrds: 9 };
const SCALE_WORDS: Record<string, number> = {
  mille: 3,
  millier: 3,
  milliers: 3,
  million: 6,
  millions: 6,
  milliard: 9,
  milliards: 9,
};

function readUnit(toks: Tok[], k: number, num: NumTok): Unit | null {
  const a = toks[k];
  if (!a) return null;
  if (isCurrency(a)) return { pow: 0, currency: true, next: k + 1 };
  if (a.t !== 'word') return null;
  if (a.w === 'keur') return { pow: 3, currency: true, next: k + 1 };
  if (a.w === 'meur') return { pow: 6, currency: true, next: k + 1 };
  if (a.w === 'mdeur' || a.w === 'mdseur') return { pow: 9, currency: true, next: k + 1 };
  const letters = SCALE_LETTERS[a.w];
  if (letters !== undefined) {
    if (isCurrency(toks[k + 1])) return { pow: letters, currency: true, next: k + 2 };
    // "300K", "20M": glued to the number, without a currency.
    if (a.start === num.end && (a.raw === 'k' || a.raw === 'K' || a.raw === 'M')) {
      return { pow: letters, currency: false, next: k + 1 };
    }
    return null;
  }
  const scale = SCALE_WORDS[a.w];
  if (scale !== undefined) {
    if (isCurrency(toks[k + 1])) return { pow: scale, currency: true, next: k + 2 };
    const b = toks[k + 1];
    if (b && b.t === 'word' && (b.w === 'd' || b.w === 'de')) {
      let c = k + 2;
      if (isSym(toks[c], APOSTROPHES)) c++;
      if (isCurrency(toks[c])) return { pow: scale, currency: true, next: c + 1 };
    }
    return { pow: scale, currency: false, next: k + 1 };
  }
  return null;
}

/** "Prêt" or "subvention" right after the unit (fillers skipped), else right before the number. */
function findInstrument(toks: Tok[], numIndex: number, after: number, lowerBound: number): 'LOAN' | 'SUBSIDY' | undefined {
  for (let k = after; k < toks.length && k < after + 4; k++) {
    const t = toks[k];
    if (t.t === 'num') break;
    if (isWord(t, FILLER_WORDS) || isSym(t, SEPARATOR_SYMS)) continue;
    const found = instrumentOf(t);
    if (found) return found;
    break;
  }
  for (let k = numIndex - 1; k >= lowerBound && k >= numIndex - 4; k--) {
    const t = toks[k];
    if (t.t === 'num') break;
    if (isWord(t, FILLER_WORDS) || isSym(t, SEPARATOR_SYMS) || isApproxAt(toks, k)) continue;
    return instrumentOf(t);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// digits → decimal → cents
// ---------------------------------------------------------------------------------------------------

interface Reading {
  int: string;
  frac: string;
}
type Interpretation =
  | { kind: 'ok'; reading: Reading }
  | { kind: 'ambiguous'; thousands: Reading; decimal: Reading }
  | { kind: 'invalid'; why: 'grouping' | 'zero' };

/** Whether groups[0..count) can be thousands groups: a first group of 1–3 digits, then threes. */
function thousandsGroupsOk(groups: string[], count: number): boolean {
  if (groups[0].length < 1 || groups[0].length > 3) return false;
  for (let i = 1; i < count; i++) if (groups[i].length !== 3) return false;
  return true;
}

const INVALID_GROUPING: Interpretation = { kind: 'invalid', why: 'grouping' };
const INVALID_ZERO: Interpretation = { kind: 'invalid', why: 'zero' };

function done(int: string, frac: string): Interpretation {
  if (int.length > 1 && int.charCodeAt(0) === 0x30) return INVALID_ZERO;
  return { kind: 'ok', reading: { int: int === '' ? '0' : int, frac } };
}

function joinGroups(groups: string[], from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) out += groups[i];
  return out;
}

function allZeros(digits: string): boolean {
  for (let i = 0; i < digits.length; i++) if (digits.charCodeAt(i) !== 0x30) return false;
  return true;
}

function interpret(tok: NumTok, decimalComma: boolean | undefined, scaled: boolean): Interpretation {
  const groups = tok.groups;
  const seps = tok.seps;
  const n = seps.length;
  if (n === 0) return done(groups[0], '');
  if (groups[0] === '') return n === 1 ? done('0', groups[1]) : INVALID_GROUPING;
  let commas = 0;
  let dots = 0;
  let spaces = 0;
  let markAt = -1;
  for (let i = 0; i < n; i++) {
    const sep = seps[i];
    if (sep === ' ') spaces++;
    else {
      if (sep === ',') commas++;
      else dots++;
      markAt = i;
    }
  }
  // Rule 1: spaces only (the scanner joined only regular groups).
  if (markAt < 0) return done(joinGroups(groups, 0, n + 1), '');
  const last = seps[n - 1];
  // Rule 3: both a comma and a dot.
  if (commas > 0 && dots > 0) {
    if (spaces > 0 || last === ' ') return INVALID_GROUPING;
    if ((last === ',' ? commas : dots) !== 1) return INVALID_GROUPING;
    if (!thousandsGroupsOk(groups, n)) return INVALID_GROUPING;
    return done(joinGroups(groups, 0, n), groups[n]);
  }
  // Rule 2: the same mark several times.
  if (commas + dots >= 2) {
    if (spaces > 0 || !thousandsGroupsOk(groups, n + 1)) return INVALID_GROUPING;
    return done(joinGroups(groups, 0, n + 1), '');
  }
  const mark = seps[markAt];
  const before = joinGroups(groups, 0, markAt + 1);
  // Rule 6: spaces after the mark.
  if (markAt !== n - 1) {
    return {
      kind: 'ambiguous',
      thousands: { int: stripLeadingZeros(joinGroups(groups, 0, n + 1)), frac: '' },
      decimal: { int: before, frac: joinGroups(groups, markAt + 1, n + 1) },
    };
  }
  const fracGroup = groups[n];
  // Rule 4.
  if (fracGroup.length !== 3) return done(before, fracGroup);
  // Rule 5.
  const commaDecides = decimalComma === true ? mark === ',' : decimalComma === false ? mark === '.' : undefined;
  const ambiguous: Interpretation = {
    kind: 'ambiguous',
    thousands: { int: stripLeadingZeros(before + fracGroup), frac: '' },
    decimal: { int: before, frac: fracGroup },
  };
  if (n >= 2) {
    // Spaces group the thousands before the mark: "1 234,567".
    return commaDecides === true ? done(before, fracGroup) : ambiguous;
  }
  if (allZeros(groups[0]) || groups[0].length > 3) return done(before, fracGroup);
  if (commaDecides !== undefined) return commaDecides ? done(before, fracGroup) : done(before + fracGroup, '');
  if (scaled && mark === ',') return done(before, fracGroup);
  return ambiguous;
}

function stripLeadingZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits[i] === '0') i++;
  return digits.slice(i);
}

const POWERS_OF_TEN: number[] = [];
for (let i = 0, p = 1; i <= 22; i++, p *= 10) POWERS_OF_TEN.push(p);

type CentsOutcome = { cents: bigint; rounded: boolean } | { absurd: true };

/** int.frac × 10^pow euros → cents, rounded half-up; absurd beyond DECIMAL(15,2). */
function toCents(reading: Reading, pow: number): CentsOutcome {
  const int = stripLeadingZeros(reading.int || '0');
  if (int !== '0' && int.length + pow > 14) return { absurd: true };
  const digits = stripLeadingZeros(int + reading.frac);
  const exp = pow + 2 - reading.frac.length;
  let cents: bigint;
  let rounded = false;
  if (digits.length <= 15 && exp >= -15 && exp <= 15 - digits.length) {
    // Fast path, still exact: integers below 10^15 and powers of ten up to 10^15 are exact doubles, and
    // so are %, the difference and the division of a multiple.
    const value = Number(digits);
    if (exp >= 0) {
      cents = BigInt(value * POWERS_OF_TEN[exp]);
    } else {
      const divisor = POWERS_OF_TEN[-exp];
      const remainder = value % divisor;
      const quotient = (value - remainder) / divisor;
      cents = BigInt(remainder * 2 >= divisor ? quotient + 1 : quotient);
      rounded = remainder !== 0;
    }
  } else if (exp >= 0) {
    if (digits !== '0' && digits.length + exp > 18) return { absurd: true };
    cents = BigInt(digits) * 10n ** BigInt(exp);
  } else if (-exp > digits.length + 1) {
    // Every digit is far below half a cent.
    cents = 0n;
    rounded = digits !== '0';
  } else {
    const divisor = 10n ** BigInt(-exp);
    const value = BigInt(digits);
    const remainder = value % divisor;
    cents = value / divisor + (remainder * 2n >= divisor ? 1n : 0n);
    rounded = remainder !== 0n;
  }
  if (cents > MAX_MONEY_CENTS) return { absurd: true };
  return { cents, rounded };
}

/** The digits of a finite non-negative double at 15 significant digits, as a decimal reading. */
function readingOfDouble(abs: number): Reading {
  const s = abs.toPrecision(15);
  const e = s.indexOf('e');
  const mantissa = e >= 0 ? s.slice(0, e) : s;
  const exponent = e >= 0 ? Number(s.slice(e + 1)) : 0;
  const dot = mantissa.indexOf('.');
  let digits = dot >= 0 ? mantissa.slice(0, dot) + mantissa.slice(dot + 1) : mantissa;
  let point = (dot >= 0 ? dot : mantissa.length) + exponent;
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  let frac = digits.slice(point);
  let end = frac.length;
  while (end > 0 && frac[end - 1] === '0') end--;
  frac = frac.slice(0, end);
  return { int: stripLeadingZeros(digits.slice(0, point)), frac };
}

// ---------------------------------------------------------------------------------------------------
// messages
// ---------------------------------------------------------------------------------------------------

const MAX_EUROS_TEXT = '9 999 999 999 999,99 €';
const EXAMPLE = 'par exemple 120000, 120 000 € ou 2,5 M€';

/** « piece », or Dans « cell », « piece » when the piece is part of a longer cell. */
function subject(piece: string, cell: string): string {
  return trimBlank(piece) === trimBlank(cell) ? quote(piece) : `Dans ${quote(cell, 60)}, ${quote(piece)}`;
}

function error(code: AmountErrorCode, message: string): AmountResult {
  return { status: 'error', code, message };
}

function euros(outcome: CentsOutcome): string {
  return 'absurd' in outcome ? 'plus de 10 000 milliards d’euros' : formatEuros(outcome.cents, { cents: 'unless-zero' });
}

function ambiguousError(piece: string, cell: string, thousands: Reading, decimal: Reading, pow: number): AmountResult {
  const a = euros(toCents(thousands, pow));
  const b = euros(toCents(decimal, pow));
  return error(
    'AMOUNT_AMBIGUOUS',
    `${subject(piece, cell)} peut se lire de deux façons, ${a} ou ${b} : réécrivez le montant sans ambiguïté, ` +
      `avec des espaces entre les milliers et une virgule seulement avant les centimes (« ${a} » ou « ${b} »).`,
  );
}

function invalidWhy(piece: string, cell: string, why: 'grouping' | 'zero'): AmountResult {
  if (why === 'zero') {
    return error(
      'AMOUNT_INVALID',
      `${subject(piece, cell)} n'est pas un montant lisible : un montant ne commence pas par un zéro ; ` +
        `écrivez-le en chiffres, ${EXAMPLE}.`,
    );
  }
  return error(
    'AMOUNT_INVALID',
    `${subject(piece, cell)} n'est pas un montant lisible : les chiffres sont mal groupés ; écrivez le montant ` +
      `sans séparateur (1234567,89) ou par groupes de trois chiffres séparés par des espaces (1 234 567,89).`,
  );
}

function absurdError(piece: string, cell: string, outcome: CentsOutcome | null): AmountResult {
  const worth = outcome && 'absurd' in outcome ? 'vaut plus de 10 000 milliards d’euros' : 'est trop grand';
  return error(
    'AMOUNT_ABSURD',
    `${subject(piece, cell)} ${worth}, au-delà du maximum admis (${MAX_EUROS_TEXT}) : vérifiez le nombre de ` +
      `chiffres et l'unité (€, k€ ou M€).`,
  );
}

function absurdWorth(piece: string, cell: string, reading: Reading, pow: number): AmountResult {
  // Give the value when it can be shown: "21 835 845 M€ vaut 21 835 845 000 000 €".
  const int = stripLeadingZeros(reading.int);
  if (int.length + pow <= 24 && pow >= 0) {
    const whole = groupThousands(int + '0'.repeat(pow));
    return error(
      'AMOUNT_ABSURD',
      `${subject(piece, cell)} vaut ${whole} €, au-delà du maximum admis (${MAX_EUROS_TEXT}) : vérifiez le ` +
        `nombre de chiffres et l'unité (€, k€ ou M€).`,
    );
  }
  return absurdError(piece, cell, { absurd: true });
}

function negativeError(piece: string, cell: string): AmountResult {
  return error(
    'AMOUNT_NEGATIVE',
    `${subject(piece, cell)} est un montant négatif : un financement s'écrit sans signe moins ni parenthèses ` +
      `(par exemple 500 €) ; pour réduire un montant, corrigez la ligne concernée.`,
  );
}

function approximateWarning(piece: string, cell: string, cents: bigint): AmountWarning {
  return {
    code: 'AMOUNT_APPROXIMATE',
    message:
      `${subject(piece, cell)} est un montant approximatif : ${formatEuros(cents, { cents: 'unless-zero' })} est retenu et marqué comme ` +
      `estimé ; écrivez le montant exact, en chiffres seulement, dès qu'il est connu.`,
  };
}

function roundedWarning(piece: string, cell: string, cents: bigint): AmountWarning {
  return {
    code: 'AMOUNT_ROUNDED',
    message:
      `${subject(piece, cell)} a plus de deux décimales : arrondi au centime, ${formatEuros(cents, { cents: 'unless-zero' })} ; ` +
      `écrivez au plus deux chiffres après la virgule.`,
  };
}

// ---------------------------------------------------------------------------------------------------
// one number → one amount
// ---------------------------------------------------------------------------------------------------

interface Context {
  /** The whole cell, verbatim. */
  cell: string;
  options: AmountOptions;
  headerPow: number;
}

interface Found {
  num: NumTok;
  unit: Unit | null;
  negative: boolean;
  approximate: boolean;
  instrument?: 'LOAN' | 'SUBSIDY';
  label?: string;
  /** What the amount was read from, for ParsedAmount.text and messages. */
  piece: string;
}

type Converted = { amount: ParsedAmount; warnings: AmountWarning[] } | { error: AmountResult };

function convert(ctx: Context, f: Found): Converted {
  const pow = (f.unit ? f.unit.pow : ctx.headerPow) + f.num.exp;
  const interpretation = interpret(f.num, ctx.options.decimalComma, pow > 0 && f.num.exp === 0);
  if (interpretation.kind === 'ambiguous') {
    return { error: ambiguousError(f.piece, ctx.cell, interpretation.thousands, interpretation.decimal, pow) };
  }
  if (interpretation.kind === 'invalid') return { error: invalidWhy(f.piece, ctx.cell, interpretation.why) };
  const outcome = toCents(interpretation.reading, pow);
  if ('absurd' in outcome) return { error: absurdWorth(f.piece, ctx.cell, interpretation.reading, pow) };
  if (f.negative && outcome.cents > 0n) return { error: negativeError(f.piece, ctx.cell) };
  const amount: ParsedAmount = { cents: outcome.cents, approximate: f.approximate, text: f.piece };
  if (f.instrument) amount.instrument = f.instrument;
  if (f.label) amount.label = f.label;
  const warnings: AmountWarning[] = [];
  if (outcome.rounded) {
    amount.rounded = true;
    warnings.push(roundedWarning(f.piece, ctx.cell, outcome.cents));
  }
  if (f.approximate) warnings.push(approximateWarning(f.piece, ctx.cell, outcome.cents));
  return { amount, warnings };
}

// ---------------------------------------------------------------------------------------------------
// the cell as one amount
// ---------------------------------------------------------------------------------------------------

type SingleOutcome = { result: AmountResult } | { notSingle: 'several' | 'words' | 'noDigits' };

function isNoiseBefore(toks: Tok[], k: number): boolean {
  const t = toks[k];
  if (t.t === 'num') return false;
  if (t.t === 'sym') return t.c === '€' || APPROX_SYMS.has(t.c) || MINUS_SYMS.has(t.c) || SEPARATOR_SYMS.has(t.c);
  return (
    CURRENCY_WORDS.has(t.w) ||
    FILLER_WORDS.has(t.w) ||
    MONTANT_WORDS.has(t.w) ||
    isApproxAt(toks, k) ||
    (APPROX_WITH_DE.has(t.w) && t.w !== 'plus' && t.w !== 'moins')
  );
}

function isKnownAfter(toks: Tok[], k: number): boolean {
  const t = toks[k];
  if (t.t === 'num') return false;
  if (t.t === 'sym') return t.c === '€' || APPROX_SYMS.has(t.c) || SEPARATOR_SYMS.has(t.c);
  return (
    CURRENCY_WORDS.has(t.w) ||
    FILLER_WORDS.has(t.w) ||
    COST_WORDS.has(t.w) ||
    isApproxAt(toks, k) ||
    instrumentOf(t) !== undefined
  );
}

function isEmptyToken(t: Tok): boolean {
  if (t.t === 'sym') return t.c === '€' || t.c === '/' || t.c === '.' || t.c === '*' || t.c === '_' || MINUS_SYMS.has(t.c);
  if (t.t === 'word') return CURRENCY_WORDS.has(t.w) || EMPTY_WORDS.has(t.w);
  return false;
}

const TRAILING_LABEL_SEPARATORS = new Set([':', '-', '–', '—', '=', '(', ',', ';']);

function cleanLabel(s: string): string | undefined {
  let end = s.length;
  while (end > 0 && (isBlank(s[end - 1]) || TRAILING_LABEL_SEPARATORS.has(s[end - 1]))) end--;
  const label = trimBlank(s.slice(0, end));
  for (let i = 0; i < label.length; i++) if (isLetterChar(label[i])) return label;
  return undefined;
}

function analyseSingle(ctx: Context, toks: Tok[]): SingleOutcome {
  // Label before a colon first, so that digits in it do not count: "Région 2022 : 500 000 €".
  let from = 0;
  let label: string | undefined;
  let labelWithoutColon = false;
  if (ctx.options.allowLabel) {
    let sawWord = false;
    for (let k = 0; k < toks.length; k++) {
      const t = toks[k];
      if (t.t === 'word') sawWord = true;
      if (t.t === 'sym' && t.c === ':') {
        if (sawWord) {
          const cleaned = cleanLabel(ctx.cell.slice(toks[0].start, t.start));
          if (cleaned !== undefined) {
            label = cleaned;
            from = k + 1;
          }
        }
        break;
      }
    }
  }

  let numIndex = -1;
  for (let k = from; k < toks.length; k++) {
    if (toks[k].t !== 'num') continue;
    if (numIndex >= 0) return { notSingle: 'several' };
    numIndex = k;
  }
  if (numIndex < 0) {
    return from === 0 && toks.every(isEmptyToken) ? { result: { status: 'empty' } } : { notSingle: 'noDigits' };
  }
  const num = toks[numIndex] as NumTok;

  // Else the free words before the number.
  let beforeStart = from;
  if (ctx.options.allowLabel && label === undefined) {
    let lastFree = -1;
    for (let k = 0; k < numIndex; k++) if (!isNoiseBefore(toks, k)) lastFree = k;
    if (lastFree >= 0) {
      label = cleanLabel(ctx.cell.slice(toks[0].start, toks[lastFree].end));
      if (label !== undefined) {
        beforeStart = lastFree + 1;
        labelWithoutColon = true;
      }
    }
  }

  let negative = false;
  let approximate = false;
  let openParens = 0;
  for (let k = beforeStart; k < numIndex; k++) {
    if (!isNoiseBefore(toks, k)) return { notSingle: 'words' };
    const t = toks[k];
    if (isApproxAt(toks, k)) approximate = true;
    if (t.t === 'sym' && MINUS_SYMS.has(t.c)) {
      const dash = labelWithoutColon && k === beforeStart && t.end !== num.start;
      if (!dash) negative = true;
    }
    if (t.t === 'sym' && t.c === '(') openParens++;
    if (t.t === 'sym' && t.c === ')') openParens--;
  }

  const unit = readUnit(toks, numIndex + 1, num);
  const afterStart = unit ? unit.next : numIndex + 1;
  const next = toks[numIndex + 1];
  if (next && next.t === 'sym' && FOREIGN_SYMS.has(next.c)) return { notSingle: 'words' };
  let closed = false;
  for (let k = afterStart; k < toks.length; k++) {
    const t = toks[k];
    if (t.t === 'sym' && FOREIGN_SYMS.has(t.c)) return { notSingle: 'words' };
    if (isApproxAt(toks, k)) approximate = true;
    if (t.t === 'sym' && t.c === ')') closed = true;
    if (!isKnownAfter(toks, k) && !unit?.currency) return { notSingle: 'words' };
  }
  if (openParens > 0 && closed) negative = true;

  const converted = convert(ctx, {
    num,
    unit,
    negative,
    approximate,
    instrument: findInstrument(toks, numIndex, afterStart, beforeStart),
    label,
    piece: ctx.cell,
  });
  if ('error' in converted) return { result: converted.error };
  return { result: { status: 'ok', amounts: [converted.amount], warnings: converted.warnings, text: ctx.cell } };
}

// ---------------------------------------------------------------------------------------------------
// the cell as prose holding several amounts
// ---------------------------------------------------------------------------------------------------

function isYearLike(num: NumTok): boolean {
  if (num.seps.length !== 0 || num.groups[0].length !== 4) return false;
  const year = Number(num.groups[0]);
  return year >= 1900 && year <= 2100;
}

function introducedByMontant(toks: Tok[], numIndex: number, lowerBound: number): boolean {
  for (let k = numIndex - 1; k >= lowerBound && k >= numIndex - 4; k--) {
    const t = toks[k];
    if (t.t === 'num') return false;
    if (isWord(t, MONTANT_WORDS)) return true;
    if (isWord(t, FILLER_WORDS) || isSym(t, SEPARATOR_SYMS) || isApproxAt(toks, k)) continue;
    if (t.t === 'word' && (t.w === 'total' || t.w === 'global' || t.w === 'globaux')) continue;
    return false;
  }
  return false;
}

function analyseMultiple(ctx: Context, toks: Tok[]): AmountResult {
  const amounts: ParsedAmount[] = [];
  const warnings: AmountWarning[] = [];
  const counts: string[] = [];
  let lowerBound = 0; // first token after the previous amount
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.t !== 'num') continue;
    const unit = readUnit(toks, k + 1, t);
    const money = (unit !== null && unit.currency) || introducedByMontant(toks, k, lowerBound);
    if (!money) {
      if (!isYearLike(t)) counts.push(ctx.cell.slice(t.start, t.end));
      continue;
    }
    const after = unit ? unit.next : k + 1;
    let start = t.start;
    // A minus sign just before the number, not glued to a word or number before it ("2020-2021").
    let negative = false;
    const prev = toks[k - 1];
    if (prev && prev.t === 'sym' && MINUS_SYMS.has(prev.c) && k - 1 >= lowerBound) {
      const beforeMinus = toks[k - 2];
      if (!beforeMinus || beforeMinus.end < prev.start) {
        negative = true;
        start = prev.start;
      }
    }
    const pieceEnd = toks[after - 1].end;
    const piece = ctx.cell.slice(start, pieceEnd);
    // "5275 002 €": a money number glued by one space to a number that is not a year.
    if (prev && prev.t === 'num' && prev.end + 1 === t.start && isSpaceChar(ctx.cell[prev.end]) && !isYearLike(prev)) {
      return invalidWhy(ctx.cell.slice(prev.start, pieceEnd), ctx.cell, 'grouping');
    }
    let approximate = false;
    for (let b = k - 1; b >= lowerBound && b >= k - 4; b--) {
      if (toks[b].t === 'num') break;
      if (isApproxAt(toks, b)) approximate = true;
    }
    for (let a = after; a < toks.length && a < after + 2; a++) {
      if (toks[a].t === 'num') break;
      if (isApproxAt(toks, a) && !isWord(toks[a], APPROX_WITH_DE)) approximate = true;
      if (!isSym(toks[a], SEPARATOR_SYMS) && !isApproxAt(toks, a)) break;
    }
    const converted = convert(ctx, {
      num: t,
      unit,
      negative,
      approximate,
      instrument: findInstrument(toks, k, after, lowerBound),
      piece,
    });
    if ('error' in converted) return converted.error;
    amounts.push(converted.amount);
    warnings.push(...converted.warnings);
    lowerBound = after;
    k = after - 1;
  }

  if (amounts.length >= 2) {
    const instruments = new Set(amounts.map((a) => a.instrument));
    const distinct = !instruments.has(undefined) && instruments.size === amounts.length;
    if (!distinct) {
      warnings.push({
        code: 'AMOUNT_MULTIPLE',
        message:
          `${quote(ctx.cell)} contient ${amounts.length} montants (${amounts.map((a) => formatEuros(a.cents, { cents: 'unless-zero' })).join(', ')}) : ` +
          `chacun devient une ligne ; pour lever le doute, écrivez un seul montant par cellule.`,
      });
    }
  }
  if (amounts.length === 0) {
    warnings.push({
      code: 'AMOUNT_NOT_MONEY',
      message:
        `${quote(ctx.cell)} ne contient aucun montant en euros : le texte est conservé tel quel, sans montant. ` +
        `S'il s'agit d'un montant, écrivez-le en chiffres suivi de € (par exemple 120 000 €).`,
    });
  } else if (counts.length > 0) {
    const shown = counts.slice(0, 5).join(', ') + (counts.length > 5 ? '…' : '');
    const plural = counts.length > 1;
    warnings.push({
      code: 'AMOUNT_NOT_MONEY',
      message:
        `Dans ${quote(ctx.cell, 60)}, ${plural ? 'les nombres' : 'le nombre'} ${shown} ` +
        `${plural ? 'ne sont pas suivis' : "n'est pas suivi"} de € : ${plural ? 'ils ne sont pas lus' : "il n'est pas lu"} ` +
        `comme ${plural ? 'des montants' : 'un montant'} (dossiers, heures…). S'il s'agit d'euros, ` +
        `${plural ? 'écrivez-les suivis' : 'écrivez-le suivi'} de € (par exemple 120 000 €).`,
    });
  }
  return { status: 'ok', amounts, warnings, text: ctx.cell };
}

// ---------------------------------------------------------------------------------------------------
// entry points
// ---------------------------------------------------------------------------------------------------

const POW_OF_MULTIPLIER: Record<number, number> = { 1: 0, 1000: 3, 1000000: 6 };

/**
 * The usual numeric cell of a big file — zero or more, whole euros or exact cents, under 10^13 €, no unit
 * in the header, not a date — read without building the general result; null for anything else (then
 * `parseAmount` decides). Gives exactly what `parseAmount` gives such a cell (see its fast path).
 */
export function exactCellAmount(cell: Cell, options: AmountOptions): ParsedAmount | null {
  const value = cell.value;
  if (typeof value !== 'number' || !(value >= 0) || value >= 1e13) return null;
  if ((POW_OF_MULTIPLIER[options.multiplier ?? 1] ?? 0) !== 0) return null;
  if (cell.format !== undefined && isDateFormat(cell.format)) return null;
  const scaled = Math.round(value * 100);
  if (scaled / 100 !== value) return null;
  return { cents: BigInt(scaled), approximate: false, text: cell.text ?? String(value) };
}

function parseAmountNumber(value: number, display: string, format: string | undefined, options: AmountOptions): AmountResult {
  const ctx: Context = { cell: display, options, headerPow: POW_OF_MULTIPLIER[options.multiplier ?? 1] ?? 0 };
  if (!Number.isFinite(value)) {
    return error('AMOUNT_ABSURD', `${quote(display)} n'est pas un nombre fini : écrivez le montant en chiffres, ${EXAMPLE}.`);
  }
  if (isDateFormat(format)) {
    return error(
      'AMOUNT_INVALID',
      `La cellule est au format date (elle affiche ${quote(display)}) : mettez-la au format nombre et écrivez ` +
        `le montant en euros, ${EXAMPLE}.`,
    );
  }
  if (Math.abs(value) >= 1e16) return absurdError(display, display, { absurd: true });
  // Fast path for the usual cell, whole euros or exact cents: when the double is the nearest one to a
  // two-decimal number, that number is what Excel shows at 15 digits too (safe below 10^13 €).
  if (ctx.headerPow === 0 && Math.abs(value) < 1e13) {
    const scaled = Math.round(Math.abs(value) * 100);
    if (scaled / 100 === Math.abs(value)) {
      if (value < 0 && scaled > 0) return negativeError(display, display);
      return { status: 'ok', amounts: [{ cents: BigInt(scaled), approximate: false, text: display }], warnings: [], text: display };
    }
  }
  const reading = readingOfDouble(Math.abs(value));
  const outcome = toCents(reading, ctx.headerPow);
  if ('absurd' in outcome) return absurdWorth(display, display, reading, ctx.headerPow);
  if (value < 0 && outcome.cents > 0n) return negativeError(display, display);
  const amount: ParsedAmount = { cents: outcome.cents, approximate: false, text: display };
  const warnings: AmountWarning[] = [];
  if (outcome.rounded) {
    amount.rounded = true;
    warnings.push(roundedWarning(display, display, outcome.cents));
  }
  return { status: 'ok', amounts: [amount], warnings, text: display };
}

function parseAmountText(raw: string, options: AmountOptions): AmountResult {
  const trimmed = trimBlank(raw);
  if (trimmed === '') return { status: 'empty' };
  if (isFormulaErrorText(trimmed)) return error('FORMULA_ERROR', formulaErrorMessage(trimmed));
  const limit = options.allowMultiple ? MAX_MULTIPLE_AMOUNT_TEXT : MAX_AMOUNT_TEXT;
  if (raw.length > limit) {
    return error(
      'AMOUNT_INVALID',
      `${quote(raw, 40)} est trop long pour un montant (${raw.length} caractères) : écrivez seulement le ` +
        `montant, ${EXAMPLE}.`,
    );
  }
  const ctx: Context = { cell: raw, options, headerPow: POW_OF_MULTIPLIER[options.multiplier ?? 1] ?? 0 };
  const toks = tokenise(raw);
  const single = analyseSingle(ctx, toks);
  if ('result' in single) return single.result;
  if (options.allowMultiple) return analyseMultiple(ctx, toks);
  switch (single.notSingle) {
    case 'several':
      return error(
        'AMOUNT_INVALID',
        `${quote(raw)} contient plusieurs nombres : écrivez un seul montant par cellule, ${EXAMPLE}.`,
      );
    case 'noDigits':
      return error(
        'AMOUNT_INVALID',
        `${quote(raw)} n'est pas un montant : écrivez-le en chiffres (${EXAMPLE}), 0 s'il est nul, ou laissez ` +
          `la cellule vide.`,
      );
    case 'words':
      return error(
        'AMOUNT_INVALID',
        `${quote(raw)} n'est pas un montant seul : écrivez seulement le montant en euros (${EXAMPLE}) et mettez ` +
          `le commentaire dans une autre colonne.`,
      );
  }
}

/** A cell (or its text) → the amount(s) it holds, exactly, in cents. See the rules at the top. */
export function parseAmount(input: ValueInput, options: AmountOptions = {}): AmountResult {
  const view = viewInput(input);
  switch (view.kind) {
    case 'empty':
      return { status: 'empty' };
    case 'error':
      return error('FORMULA_ERROR', formulaErrorMessage(view.value));
    case 'boolean':
      return error('AMOUNT_INVALID', `${quote(view.display)} n'est pas un montant : écrivez-le en chiffres, ${EXAMPLE}.`);
    case 'number':
      return parseAmountNumber(view.value, view.display, view.format, options);
    case 'string':
      return parseAmountText(view.value, options);
  }
}
