/**
 * CSV → WorkbookGrid, as French tools and French Excel write it.
 *
 * - Encoding: UTF-16 LE/BE with a byte-order mark (or, without one, when every other byte is NUL), UTF-8 with
 *   or without BOM, else Windows-1252. A file mixing valid UTF-8 sequences with stray Windows-1252 bytes (two
 *   exports pasted together) is decoded sequence by sequence, with a FILE_ENCODING warning.
 *   Node's TextDecoder('windows-1252') decodes as ISO-8859-1 (0x80 gives U+0080 instead of '€'), so the
 *   0x80–0x9F range is mapped here by hand.
 * - NUL bytes: a few (a tool's padding, a stray byte) are removed with a FILE_ENCODING warning; a file made
 *   mostly of control bytes is not text and is refused (FILE_NOT_SPREADSHEET). Decision: removing is safe
 *   because a NUL never carries meaning in a CSV cell, and refusing would block a partner for an invisible
 *   character.
 * - Delimiter: `;`, `,` or tab, whichever splits the first records (outside quotes) into the most consistent
 *   number of fields; ties go to the most fields, then to `;` (French Excel).
 * - RFC 4180 quotes (separators, line breaks and doubled quotes inside), CRLF, LF or CR line ends. Text after
 *   a closing quote is kept (`"a"b` → `ab`, as Excel does). An opening quote never closed is an error naming
 *   its line (otherwise the rest of the file would silently become one cell).
 * - Rows keep their own length (ragged rows as written, `a;b;;` gives four fields); an empty line is an
 *   empty row; trailing empty lines are dropped. Every cell is a string: typing is a later stage's job.
 *
 * Every step is a single pass over the bytes or the text (no backtracking regular expression).
 */
import type { Cell, IssueDraft, SheetGrid } from '../common/model';
import { ReadError, readMessages } from './read-error';
import type { ReadResult } from './read-result';

export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'utf-8+windows-1252';

export interface CsvOptions {
  /** Refuse files holding more fields than this (FILE_TOO_COMPLEX). Default 4 000 000. */
  maxCells?: number;
  /** Refuse files of more lines than this (FILE_TOO_COMPLEX). Default 500 000, as for workbooks. */
  maxRows?: number;
}

/** The workbook limits (xlsx.grid.ts WORKBOOK_LIMITS), not imported: this module stays free of the grid code. */
const DEFAULT_MAX_CELLS = 4_000_000;
const DEFAULT_MAX_ROWS = 500_000;

// ---------------------------------------------------------------------------------------------------
// bytes → text
// ---------------------------------------------------------------------------------------------------

/** Windows-1252 characters of bytes 0x80–0x9F (undefined bytes keep their C1 code point, as browsers do). */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function cp1252Char(byte: number): string {
  return byte >= 0x80 && byte <= 0x9f ? String.fromCharCode(CP1252_HIGH[byte - 0x80]) : String.fromCharCode(byte);
}

export function decodeWindows1252(bytes: Buffer): string {
  const latin1 = bytes.toString('latin1');
  let hasC1 = false;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] >= 0x80 && bytes[i] <= 0x9f) {
      hasC1 = true;
      break;
    }
  }
  if (!hasC1) return latin1;
  let out = '';
  let start = 0;
  for (let i = 0; i < latin1.length; i++) {
    const code = latin1.charCodeAt(i);
    if (code >= 0x80 && code <= 0x9f) {
      out += latin1.slice(start, i) + String.fromCharCode(CP1252_HIGH[code - 0x80]);
      start = i + 1;
    }
  }
  return out + latin1.slice(start);
}

/** Length of the valid UTF-8 sequence starting at i (1–4), or 0 when the byte there starts none. */
function utf8SequenceLength(bytes: Buffer, i: number): number {
  const b = bytes[i];
  if (b < 0x80) return 1;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) need = 1;
  else if (b >= 0xe0 && b <= 0xef) {
    need = 2;
    if (b === 0xe0) lo = 0xa0;
    if (b === 0xed) hi = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    need = 3;
    if (b === 0xf0) lo = 0x90;
    if (b === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + need >= bytes.length) return 0;
  const second = bytes[i + 1];
  if (second < lo || second > hi) return 0;
  for (let k = 2; k <= need; k++) {
    const c = bytes[i + k];
    if (c < 0x80 || c > 0xbf) return 0;
  }
  return need + 1;
}

interface Utf8Scan {
  invalid: number;
  multibyte: number;
}

function scanUtf8(bytes: Buffer): Utf8Scan {
  let invalid = 0;
  let multibyte = 0;
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    if (bytes[i] < 0x80) {
      i++;
      continue;
    }
    const length = utf8SequenceLength(bytes, i);
    if (length === 0) {
      invalid++;
      i++;
    } else {
      multibyte++;
      i += length;
    }
  }
  return { invalid, multibyte };
}

/** Valid UTF-8 sequences as UTF-8, every other byte as Windows-1252. */
function decodeMixed(bytes: Buffer): string {
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] < 0x80) {
      i++;
      continue;
    }
    const length = utf8SequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    parts.push(bytes.toString('utf8', start, i), cp1252Char(bytes[i]));
    i++;
    start = i;
  }
  parts.push(bytes.toString('utf8', start, bytes.length));
  return parts.join('');
}

/** UTF-16 without a byte-order mark: one of the two byte lanes is mostly NUL (Latin text). */
function guessBomlessUtf16(bytes: Buffer): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(bytes.length, 8192) & ~1;
  if (n < 4) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const half = n / 2;
  if (oddZeros / half > 0.4 && evenZeros / half < 0.02) return 'utf-16le';
  if (evenZeros / half > 0.4 && oddZeros / half < 0.02) return 'utf-16be';
  return null;
}

function decodeUtf16(bytes: Buffer, bigEndian: boolean): string {
  const even = bytes.length & ~1;
  if (!bigEndian) return bytes.toString('utf16le', 0, even);
  const swapped = Buffer.from(bytes.subarray(0, even));
  swapped.swap16();
  return swapped.toString('utf16le');
}

/**
 * Control bytes other than tab, line ends, form feed, SUB (0x1A, the end mark of old DOS files) and ESC
 * are rare in text; in a binary file they are everywhere. Counted over the whole file (one pass).
 */
export function looksLikeBinary(bytes: Uint8Array): boolean {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--; // trailing NUL padding is judged apart
  if (end === 0) return bytes.length > 0;
  let control = 0;
  for (let i = 0; i < end; i++) {
    const b = bytes[i];
    if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1a && b !== 0x1b)) control++;
  }
  const trailing = bytes.length - end;
  const ratio = control / end;
  // A few stray control bytes in a short text are tolerated (and NULs removed later with a warning).
  return ratio > 0.3 || (control > 8 && ratio > 0.05) || trailing > end;
}

function looksLikeBinaryText(text: string): boolean {
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x09 || (c > 0x0d && c < 0x20 && c !== 0x1a && c !== 0x1b) || c === 0xfffd) control++;
  }
  return text.length > 0 && control / text.length > 0.05;
}

export interface DecodedText {
  text: string;
  encoding: CsvEncoding;
  issues: IssueDraft[];
}

function warning(message: string, value: string | null = null): IssueDraft {
  return { severity: 'WARNING', code: 'FILE_ENCODING', message, sheet: null, cell: null, value };
}

/** Bytes → text, with the encoding that was used. Throws FILE_NOT_SPREADSHEET on binary content. */
export function decodeCsvBytes(input: Uint8Array): DecodedText {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const issues: IssueDraft[] = [];
  let text: string;
  let encoding: CsvEncoding;
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    text = decodeUtf16(bytes.subarray(2), false);
    encoding = 'utf-16le';
  } else if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    text = decodeUtf16(bytes.subarray(2), true);
    encoding = 'utf-16be';
  } else {
    const utf16 = guessBomlessUtf16(bytes);
    if (utf16) {
      text = decodeUtf16(bytes, utf16 === 'utf-16be');
      encoding = utf16;
    } else {
      // (UTF-16 text is checked for control characters below, once decoded.)
      if (looksLikeBinary(bytes)) {
        throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.binary(), { detail: 'csv: binary content' });
      }
      const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
      const body = bom ? bytes.subarray(3) : bytes;
      const scan = scanUtf8(body);
      if (scan.invalid === 0) {
        text = body.toString('utf8');
        encoding = bom ? 'utf-8-bom' : 'utf-8';
      } else if (scan.multibyte === 0 && !bom) {
        text = decodeWindows1252(body);
        encoding = 'windows-1252';
      } else {
        text = decodeMixed(body);
        encoding = 'utf-8+windows-1252';
        issues.push(
          warning(
            `Le fichier mélange deux encodages de caractères (UTF-8 et Windows-1252) : ${scan.invalid} caractère` +
              `${scan.invalid > 1 ? 's ont' : ' a'} été lu${scan.invalid > 1 ? 's' : ''} en Windows-1252. Vérifiez les ` +
              'accents dans le rapport ; pour l’éviter, enregistrez le fichier en « CSV UTF-8 ».',
          ),
        );
      }
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (encoding.startsWith('utf-16') && looksLikeBinaryText(text)) {
    throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.binary(), { detail: 'csv: binary content (utf-16)' });
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    let count = 0;
    let firstLine = 1;
    for (let i = 0; i < nul; i++) if (text.charCodeAt(i) === 10) firstLine++;
    const parts: string[] = [];
    let start = 0;
    for (let i = nul; i < text.length; i++) {
      if (text.charCodeAt(i) === 0) {
        count++;
        parts.push(text.slice(start, i));
        start = i + 1;
      }
    }
    parts.push(text.slice(start));
    text = parts.join('');
    issues.push(
      warning(
        `Le fichier contient ${count} caractère${count > 1 ? 's' : ''} nul${count > 1 ? 's' : ''} (octet 0), ` +
          `invisible${count > 1 ? 's' : ''} dans un tableur, qui ${count > 1 ? 'ont' : 'a'} été supprimé${count > 1 ? 's' : ''} ` +
          `à la lecture (le premier vers la ligne ${firstLine}). Vérifiez les cellules de cette ligne.`,
      ),
    );
  }
  return { text, encoding, issues };
}

// ---------------------------------------------------------------------------------------------------
// text → records
// ---------------------------------------------------------------------------------------------------

const QUOTE = 34;
const LF = 10;
const CR = 13;

export interface ParsedCsv {
  records: Array<Array<string | null>>;
  /** Set when a quoted field is still open at the end of the text (its 1-based line). */
  unclosedQuoteLine?: number;
  cells: number;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) line++;
  }
  return line;
}

/**
 * One pass over the text. `maxRecords` stops early (delimiter sniffing); `maxCells` throws FILE_TOO_COMPLEX.
 * An unclosed quote stops the parse and is reported in `unclosedQuoteLine`.
 */
export function parseCsvText(
  text: string,
  delimiter: string,
  limits: { maxRecords?: number; maxCells?: number; maxRows?: number } = {},
): ParsedCsv {
  const D = delimiter.charCodeAt(0);
  const maxRecords = limits.maxRecords ?? Infinity;
  const maxCells = limits.maxCells ?? Infinity;
  const maxRows = limits.maxRows ?? Infinity;
  const records: Array<Array<string | null>> = [];
  const n = text.length;
  let row: Array<string | null> = [];
  let cells = 0;
  let i = 0;
  let atRecordStart = true;
  while (i < n && records.length < maxRecords) {
    let c = text.charCodeAt(i);
    if (atRecordStart && (c === LF || c === CR)) {
      // Empty lines count too: 20 MB of line ends would otherwise be 20 million rows.
      if (records.length >= maxRows) {
        throw new ReadError('FILE_TOO_COMPLEX', readMessages.csvTooManyRows(maxRows), { detail: `csv: more than ${maxRows} lines` });
      }
      records.push(row);
      row = [];
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      continue;
    }
    atRecordStart = false;
    let value: string | null;
    if (c === QUOTE) {
      const fieldStart = i;
      let parts = '';
      i++;
      let segment = i;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) {
          return { records, unclosedQuoteLine: lineOf(text, fieldStart), cells };
        }
        if (text.charCodeAt(q + 1) === QUOTE) {
          parts += text.slice(segment, q + 1);
          i = q + 2;
          segment = i;
          continue;
        }
        parts += text.slice(segment, q);
        i = q + 1;
        break;
      }
      let k = i;
      while (k < n) {
        const d = text.charCodeAt(k);
        if (d === D || d === LF || d === CR) break;
        k++;
      }
      if (k > i) parts += text.slice(i, k);
      i = k;
      value = parts === '' ? null : parts;
    } else {
      let k = i;
      while (k < n) {
        const d = text.charCodeAt(k);
        if (d === D || d === LF || d === CR) break;
        k++;
      }
      value = k > i ? text.slice(i, k) : null;
      i = k;
    }
    row.push(value);
    if (++cells > maxCells) {
      throw new ReadError('FILE_TOO_COMPLEX', undefined, { detail: `csv: more than ${maxCells} fields` });
    }
    if (i >= n) break;
    c = text.charCodeAt(i);
    if (c === D) {
      i++;
      if (i >= n) row.push(null);
      continue;
    }
    // line end
    i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
    if (records.length >= maxRows) {
      throw new ReadError('FILE_TOO_COMPLEX', readMessages.csvTooManyRows(maxRows), { detail: `csv: more than ${maxRows} lines` });
    }
    records.push(row);
    row = [];
    atRecordStart = true;
  }
  if (row.length > 0 && records.length < maxRecords) records.push(row);
  return { records, cells };
}

// ---------------------------------------------------------------------------------------------------
// delimiter and decimal comma
// ---------------------------------------------------------------------------------------------------

const CANDIDATES = [';', '\t', ','] as const;
const SNIFF_CHARS = 64 * 1024;
const SNIFF_RECORDS = 200;

/** The delimiter that splits the first records most consistently; null when none splits anything. */
export function detectDelimiter(text: string): string | null {
  const truncated = text.length > SNIFF_CHARS;
  const sample = truncated ? text.slice(0, SNIFF_CHARS) : text;
  let best: { delimiter: string; consistency: number; fields: number; priority: number } | null = null;
  CANDIDATES.forEach((delimiter, index) => {
    const parsed = parseCsvText(sample, delimiter, { maxRecords: SNIFF_RECORDS });
    let records = parsed.records;
    // The last record of a cut sample (or one cut by an open quote) may be incomplete.
    if ((truncated || parsed.unclosedQuoteLine !== undefined) && records.length > 1) records = records.slice(0, -1);
    const counts = new Map<number, number>();
    let total = 0;
    for (const record of records) {
      if (!record.some((f) => f !== null)) continue;
      counts.set(record.length, (counts.get(record.length) ?? 0) + 1);
      total++;
    }
    let mode = 0;
    let modeCount = 0;
    for (const [fields, count] of counts) {
      if (count > modeCount || (count === modeCount && fields > mode)) {
        mode = fields;
        modeCount = count;
      }
    }
    if (mode < 2 || total === 0) return;
    const consistency = Math.round((modeCount / total) * 100) / 100;
    const candidate = { delimiter, consistency, fields: mode, priority: -index };
    if (
      !best ||
      candidate.consistency > best.consistency ||
      (candidate.consistency === best.consistency &&
        (candidate.fields > best.fields || (candidate.fields === best.fields && candidate.priority > best.priority)))
    ) {
      best = candidate;
    }
  });
  return best === null ? null : (best as { delimiter: string }).delimiter;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isGroupSpace(c: number): boolean {
  return c === 32 || c === 0xa0 || c === 0x202f;
}

/**
 * '950000,50', '1 234,5 €', '-0,125', '1.234,56': a number written with a decimal comma. '1,050' (three
 * digits after the comma, integer part without grouping) could be a thousands separator: not counted.
 */
export function isDecimalCommaNumber(raw: string): boolean {
  let s = 0;
  let e = raw.length;
  while (s < e && isGroupSpace(raw.charCodeAt(s))) s++;
  while (e > s && isGroupSpace(raw.charCodeAt(e - 1))) e--;
  // trailing unit
  if (e > s && (raw.charCodeAt(e - 1) === 0x20ac || raw.charCodeAt(e - 1) === 37)) {
    e--;
    while (e > s && isGroupSpace(raw.charCodeAt(e - 1))) e--;
  }
  let i = s;
  if (i < e && (raw.charCodeAt(i) === 45 || raw.charCodeAt(i) === 43)) i++;
  const intStart = i;
  let digits = 0;
  let grouped = false;
  while (i < e) {
    const c = raw.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if ((isGroupSpace(c) || c === 46) && digits > 0 && i + 1 < e && isDigit(raw.charCodeAt(i + 1))) grouped = true;
    else break;
    i++;
  }
  if (digits === 0 || i >= e || raw.charCodeAt(i) !== 44) return false;
  const integerPart = raw.slice(intStart, i);
  i++;
  const fracStart = i;
  while (i < e && isDigit(raw.charCodeAt(i))) i++;
  if (i !== e || i === fracStart) return false;
  const fracDigits = i - fracStart;
  if (fracDigits === 3 && !grouped && integerPart !== '0') return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------
// the reader
// ---------------------------------------------------------------------------------------------------

/** 'dossier/Annexe 3 ADEME.csv' → 'Annexe 3 ADEME'. */
export function sheetNameFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  const name = (dot > 0 ? base.slice(0, dot) : base).trim();
  return name === '' ? 'CSV' : name;
}

function looksLikeMarkup(text: string): boolean {
  let i = 0;
  while (i < text.length && i < 1000 && (text.charCodeAt(i) <= 32 || text.charCodeAt(i) === 0xfeff)) i++;
  const head = text.slice(i, i + 20).toLowerCase();
  return (
    head.startsWith('<?xml') ||
    head.startsWith('<!doctype') ||
    head.startsWith('<html') ||
    head.startsWith('<table') ||
    head.startsWith('<workbook') ||
    head.startsWith('{\\rtf')
  );
}

export function readCsv(buffer: Uint8Array, fileName: string, options: CsvOptions = {}): ReadResult {
  if (buffer.length === 0) throw new ReadError('FILE_EMPTY', undefined, { detail: 'csv: 0 bytes' });
  const { text, encoding, issues } = decodeCsvBytes(buffer);
  if (looksLikeMarkup(text)) {
    throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.htmlOrXml(), { detail: 'csv: markup' });
  }
  const detected = detectDelimiter(text);
  const delimiter = detected ?? ';';
  const parsed = parseCsvText(text, delimiter, { maxCells: options.maxCells ?? DEFAULT_MAX_CELLS, maxRows: options.maxRows ?? DEFAULT_MAX_ROWS });
  if (parsed.unclosedQuoteLine !== undefined) {
    throw new ReadError('FILE_CORRUPT', readMessages.csvUnclosedQuote(parsed.unclosedQuoteLine), {
      detail: `csv: unclosed quote from line ${parsed.unclosedQuoteLine}`,
    });
  }
  const records = parsed.records;
  let last = records.length - 1;
  while (last >= 0 && !records[last].some((f) => f !== null)) last--;
  if (last < 0) throw new ReadError('FILE_EMPTY', undefined, { detail: 'csv: no field' });

  let decimalComma = delimiter === ';' && detected !== null;
  const rows: Array<Array<Cell | null>> = new Array(last + 1);
  for (let r = 0; r <= last; r++) {
    const record = records[r];
    const row: Array<Cell | null> = new Array(record.length);
    for (let c = 0; c < record.length; c++) {
      const value = record[c];
      if (value === null) {
        row[c] = null;
      } else {
        if (!decimalComma && value.indexOf(',') >= 0 && isDecimalCommaNumber(value)) decimalComma = true;
        row[c] = { kind: 'string', value };
      }
    }
    rows[r] = row;
  }
  const sheet: SheetGrid = { name: sheetNameFromFileName(fileName), rows, merges: [] };
  const sheetName = sheet.name;
  return {
    format: 'csv',
    sheets: [sheet],
    skippedSheets: [],
    csv: { delimiter, encoding, decimalComma },
    issues: issues.map((issue) => ({ ...issue, sheet: sheetName })),
  };
}
