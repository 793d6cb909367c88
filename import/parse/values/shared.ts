/**
 * Helpers shared by the value parsers of this folder (amount, year, date, vocabulary).
 *
 * Every parser takes what the reader gives for one cell — a `Cell`, or for convenience a bare string or
 * number — and never throws: it returns a discriminated union. Messages are in French, for the partner,
 * quote the value as written and say what to write instead; they never name the cell (the caller adds
 * the sheet and the address).
 *
 * No regular expression here or in the parsers runs on unbounded input: each parser caps the length first.
 */
import { UNCALCULATED_FORMULA, type Cell } from '../../common/model';

/** What a value parser accepts: a reader cell, a bare string or number, or nothing. */
export type ValueInput = Cell | string | number | null | undefined;

/** Normalised view of the input: the parsers only ever look at these four shapes. */
export type InputView =
  | { kind: 'empty' }
  | { kind: 'number'; value: number; display: string; format?: string }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean; display: string }
  | { kind: 'error'; value: string };

export function viewInput(input: ValueInput): InputView {
  if (input === null || input === undefined) return { kind: 'empty' };
  if (typeof input === 'string') return { kind: 'string', value: input };
  if (typeof input === 'number') return { kind: 'number', value: input, display: String(input) };
  const value = input.value;
  switch (input.kind) {
    case 'number': {
      const n = typeof value === 'number' ? value : +value;
      return { kind: 'number', value: n, display: input.text ?? String(value), format: input.format };
    }
    case 'boolean':
      return { kind: 'boolean', value: value === true, display: input.text ?? (value === true ? 'VRAI' : 'FAUX') };
    case 'error':
      return { kind: 'error', value: typeof value === 'string' ? value : String(value) };
    default:
      return { kind: 'string', value: typeof value === 'string' ? value : String(value) };
  }
}

// ---------------------------------------------------------------------------------------------------
// characters
// ---------------------------------------------------------------------------------------------------

/** Spaces that may separate groups of digits: space, tab, NBSP, narrow NBSP, thin and figure spaces… */
export function isSpaceCode(code: number): boolean {
  return (
    code === 0x20 ||
    code === 0xa0 ||
    code === 0x202f ||
    code === 0x09 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Line breaks and other vertical spaces: they separate tokens but never join digits. */
function isLineBreakCode(code: number): boolean {
  return (code >= 0x0a && code <= 0x0d) || code === 0x85 || code === 0x2028 || code === 0x2029;
}

/** Any blank: spaces, line breaks, byte-order mark, zero-width space. */
export function isBlankCode(code: number): boolean {
  return isSpaceCode(code) || isLineBreakCode(code) || code === 0xfeff || code === 0x200b;
}

export function isDigitCode(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

const LETTER = /\p{L}/u;
export function isLetterCode(code: number): boolean {
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
  // Latin-1 and Latin Extended letters (× and ÷ excepted), without a regular expression.
  if (code >= 0xc0 && code <= 0x24f) return code !== 0xd7 && code !== 0xf7;
  // General punctuation, currency symbols (€), arrows, mathematical operators (≈)…
  if (code >= 0x2000 && code <= 0x2bff) return false;
  return LETTER.test(String.fromCharCode(code));
}

export function isSpaceChar(c: string): boolean {
  return isSpaceCode(c.charCodeAt(0));
}
export function isBlank(c: string): boolean {
  return isBlankCode(c.charCodeAt(0));
}
export function isDigitChar(c: string): boolean {
  return isDigitCode(c.charCodeAt(0));
}
export function isLetterChar(c: string): boolean {
  return isLetterCode(c.charCodeAt(0));
}

/** Trims every kind of blank (NBSP, narrow NBSP, line breaks, byte-order mark…). */
export function trimBlank(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isBlankCode(s.charCodeAt(start))) start++;
  while (end > start && isBlankCode(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

// ---------------------------------------------------------------------------------------------------
// messages
// ---------------------------------------------------------------------------------------------------

const QUOTE_MAX = 100;

/** « value », on one line, cut at a hundred characters. */
export function quote(value: string, max = QUOTE_MAX): string {
  let s = '';
  let truncated = false;
  // Collapse line breaks and runs of blanks so that the message stays on one line.
  let pendingBlank = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (isBlank(c)) {
      pendingBlank = s.length > 0;
      continue;
    }
    const add = pendingBlank ? ` ${c}` : c;
    if (s.length + add.length > max) {
      truncated = true;
      break;
    }
    s += add;
    pendingBlank = false;
  }
  return `« ${s}${truncated ? '…' : ''} »`;
}

// ---------------------------------------------------------------------------------------------------
// spreadsheet error values and number formats
// ---------------------------------------------------------------------------------------------------

/** Error values, in English and French Excel / LibreOffice spellings (they reach CSV files as text). */
const FORMULA_ERROR_VALUES: ReadonlySet<string> = new Set([
  '#DIV/0!',
  '#REF!',
  '#N/A',
  '#NA',
  '#VALUE!',
  '#NAME?',
  '#NUM!',
  '#NULL!',
  '#SPILL!',
  '#CALC!',
  '#GETTING_DATA',
  '#VALEUR!',
  '#NOM?',
  '#NOMBRE!',
  '#NUL!',
  '#N/D',
  '#PROPAGATION!',
  '#CALCUL!',
  'ERR:502',
  'ERR:504',
  'ERR:508',
  'ERR:511',
  'ERR:522',
  'ERR:532',
]);

export function isFormulaErrorText(text: string): boolean {
  const first = text.charCodeAt(0);
  // '#…' or 'Err:…'
  if (first !== 0x23 && first !== 0x45 && first !== 0x65) return false;
  return text.length <= 16 && FORMULA_ERROR_VALUES.has(text.toUpperCase());
}

export function formulaErrorMessage(value: string): string {
  if (value === UNCALCULATED_FORMULA) {
    return (
      "La cellule contient une formule dont le fichier n'enregistre pas le résultat (elle n'a jamais été calculée) : " +
      'ouvrez le fichier dans Excel ou LibreOffice, enregistrez-le, puis déposez-le à nouveau.'
    );
  }
  return (
    `La formule de la cellule renvoie l'erreur ${quote(value)} : corrigez la formule, ` +
    'ou remplacez-la par la valeur elle-même.'
  );
}

/**
 * True when an Excel number format shows a date or a time (d, m, y, h, s outside quoted text, escapes
 * and [bracketed] sections such as [$€-40C] or [Red]). "General", "#,##0 €", '0.00 "k€"' are not dates.
 */
export function isDateFormat(format: string | undefined): boolean {
  if (!format || format.length > 200) return false;
  let inQuote = false;
  let inBracket = false;
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (inQuote) {
      if (c === '"') inQuote = false;
      continue;
    }
    if (inBracket) {
      if (c === ']') inBracket = false;
      continue;
    }
    if (c === '"') inQuote = true;
    else if (c === '[') {
      // [h], [mm], [ss]: elapsed time, a time format.
      const close = format.indexOf(']', i);
      const inner = close > i ? format.slice(i + 1, close).toLowerCase() : '';
      if (inner !== '' && /^(h+|m+|s+)$/.test(inner)) return true;
      inBracket = true;
    } else if (c === '\\' || c === '_' || c === '*') i++; // escaped or padding character
    else {
      const l = c.toLowerCase();
      // 'General' / 'Standard' hold letters: skip them first.
      if (l === 'g' && format.slice(i, i + 7).toLowerCase() === 'general') {
        i += 6;
        continue;
      }
      if (l === 's' && format.slice(i, i + 8).toLowerCase() === 'standard') {
        i += 7;
        continue;
      }
      // Day, month, year, hour, second; French LibreOffice codes use j (jour) and a (année).
      if (l === 'd' || l === 'm' || l === 'y' || l === 'h' || l === 's' || l === 'j' || l === 'a') return true;
    }
  }
  return false;
}
