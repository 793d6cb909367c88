/**
 * What each hostile file of the corpus must produce through POST /api/imports (issue 7, point 1).
 * The files are built by build-corpus.ts; `big` ones are built at test time, never committed.
 *
 * - REJECTED: answered 422, the batch stored as REJECTED, nothing else written; `codes` is exactly the set
 *   of ERROR codes the preview gives (each with a French message).
 * - PREVIEWED: answered 200 with `lines` funding lines totalling `total`; `warnings` must all be among the
 *   preview's warnings, and no ERROR. Then imported for real (dryRun=false) and rolled back.
 */
import type { IssueCode } from '../../import/common/issue-codes';

export type CorpusExpectation =
  | {
      status: 'REJECTED';
      codes: IssueCode[];
      /** How many ERROR issues, when it matters (one per cell). */
      errors?: number;
      /**
       * Another refusal accepted instead of `codes`: a million rows meet either the row limit or the read's
       * time limit first, depending on the machine's load (both are the product's guards, in French).
       */
      orElse?: IssueCode[];
    }
  | { status: 'PREVIEWED'; lines: number; total: string; warnings?: IssueCode[] };

export interface CorpusEntry {
  file: string;
  /** What the file is, and why its expectation is the right answer. */
  about: string;
  kind: 'annex3' | 'annex2' | 'dotations' | 'grants' | 'indicators';
  source: string;
  big?: boolean;
  expect: CorpusExpectation;
}

const DA = { kind: 'annex3', source: 'Douaisis Agglo' } as const;
const ADEME = { kind: 'annex3', source: 'ADEME' } as const;
const rejected = (...codes: IssueCode[]) => ({ status: 'REJECTED' as const, codes });
/** The base table of build-corpus.ts: 3 lines, 1 350 000,50 €. */
const BASE: CorpusExpectation = { status: 'PREVIEWED', lines: 3, total: '1350000.50' };
/** The ADEME CSV fixture: 13 lines. */
const ADEME_LINES: CorpusExpectation = { status: 'PREVIEWED', lines: 13, total: '2891200.50' };

export const CORPUS: CorpusEntry[] = [
  // not a spreadsheet, damaged, empty
  { file: 'empty.xlsx', about: '0 bytes', ...DA, expect: rejected('FILE_EMPTY') },
  { file: 'empty.csv', about: '0 bytes', ...ADEME, expect: rejected('FILE_EMPTY') },
  { file: 'blank-lines.csv', about: 'separators, spaces and line ends only', ...ADEME, expect: rejected('NO_TABLE_FOUND') },
  { file: 'not-a-zip.xlsx', about: 'random bytes named .xlsx', ...DA, expect: rejected('FILE_CORRUPT') },
  { file: 'pdf-renamed.xlsx', about: 'a PDF named .xlsx', ...DA, expect: rejected('FILE_NOT_SPREADSHEET') },
  { file: 'png-renamed.csv', about: 'a PNG named .csv', ...ADEME, expect: rejected('FILE_NOT_SPREADSHEET') },
  { file: 'truncated.xlsx', about: 'a workbook cut at 60 %', ...DA, expect: rejected('FILE_CORRUPT') },
  { file: 'truncated-directory.xlsx', about: 'a workbook without the end of its central directory', ...DA, expect: rejected('FILE_CORRUPT') },
  { file: 'empty-zip.xlsx', about: 'a zip with no entry', ...DA, expect: rejected('FILE_NOT_SPREADSHEET') },
  { file: 'docx-renamed.xlsx', about: 'a Word document named .xlsx', ...DA, expect: rejected('FILE_NOT_SPREADSHEET') },
  { file: 'no-cells.xlsx', about: 'a workbook whose only sheet is empty', ...DA, expect: rejected('FILE_EMPTY') },
  { file: 'hidden-only.xlsx', about: 'the table is on a hidden sheet, the only one', ...DA, expect: rejected('FILE_EMPTY') },
  { file: 'mostly-nul.csv', about: '4 KB of NUL between two CSV lines (named .csv: "damaged")', ...ADEME, expect: rejected('FILE_CORRUPT') },
  { file: 'unclosed-quote.csv', about: 'a quote opened and never closed', ...ADEME, expect: rejected('FILE_CORRUPT') },
  // encrypted
  { file: 'encrypted.xlsx', about: 'a password-protected workbook (CFB with EncryptionInfo and EncryptedPackage)', ...DA, expect: rejected('FILE_ENCRYPTED') },
  { file: 'encrypted-zip-entries.xlsx', about: 'a zip whose entries carry the encrypted flag', ...DA, expect: rejected('FILE_ENCRYPTED') },
  { file: 'legacy-xls-renamed.xlsx', about: 'an Excel 97-2003 workbook named .xlsx', ...DA, expect: rejected('FILE_NOT_SPREADSHEET') },
  // zip bombs
  { file: 'zip-bomb-declared.xlsx', about: '6 KB whose directory declares 3.75 GB for one sheet', ...DA, expect: rejected('FILE_ZIP_BOMB') },
  { file: 'zip-bomb-ratio.xlsx', about: '66 KB that inflate to 60 MB (ratio about 1 000)', ...DA, expect: rejected('FILE_ZIP_BOMB') },
  { file: 'zip-bomb-many-parts.xlsx', about: '1 500 parts of 150 KB declared each: 220 MB in all', ...DA, expect: rejected('FILE_ZIP_BOMB') },
  { file: 'zip-too-many-entries.xlsx', about: 'a workbook with 20 500 extra zip entries', ...DA, big: true, expect: rejected('FILE_TOO_COMPLEX') },
  { file: 'zip-path-traversal.xlsx', about: 'the base workbook plus entries named ../../../../tmp/… and /etc/…', ...DA, expect: BASE },
  // size and shape
  { file: 'rows-1000000.xlsx', about: '1 000 000 rows under an annex 3 header', ...DA, big: true, expect: { ...rejected('FILE_TOO_COMPLEX'), orElse: ['FILE_TIMEOUT'] } },
  { file: 'rows-1000000.csv', about: '1 000 000 lines of 5 fields (5 000 000 cells)', ...ADEME, big: true, expect: rejected('FILE_TOO_COMPLEX') },
  { file: 'columns-16000.xlsx', about: 'the base table widened to 16 000 columns', ...DA, expect: BASE },
  // Longer than the columns (action title 500, organisation name 255): refused at its cells, on both databases.
  { file: 'cells-40000-chars.xlsx', about: 'a title and a project owner of 40 000 characters', ...DA, expect: rejected('TEXT_TOO_LONG') },
  { file: 'amount-40000-chars.xlsx', about: 'an amount cell of 40 000 characters', ...DA, expect: rejected('AMOUNT_INVALID') },
  { file: 'dimension-lies.xlsx', about: 'a sheet declaring A1:XFD1048576 around 3 rows', ...DA, expect: BASE },
  // prototype pollution
  { file: 'sheet-named-proto.xlsx', about: 'the base table in a sheet named __proto__', ...DA, expect: BASE },
  { file: 'sheet-named-proto-bdt.xlsx', about: 'the Banque des Territoires fixture, its sheet renamed __proto__', kind: 'annex3', source: 'Banque des Territoires', expect: { status: 'PREVIEWED', lines: 10, total: '20100000.00' } },
  { file: 'headers-proto-constructor.xlsx', about: 'extra columns __proto__, constructor, prototype, hasOwnProperty', ...DA, expect: { ...BASE, warnings: ['COLUMN_UNKNOWN'] } },
  { file: 'comment-at-proto.xlsx', about: 'a comment anchored at ref="__proto__" (CVE-2023-30533)', ...DA, expect: BASE },
  { file: 'cell-ref-proto.xlsx', about: 'cells whose r attribute is __proto__ and constructor', ...DA, expect: BASE },
  { file: 'xml-entity-expansion.xlsx', about: 'a DOCTYPE with nested entities (billion laughs) in a sheet: not expanded, the row holding &j; has no action code', ...DA, expect: rejected('ACTION_CODE_MISSING') },
  // regular expressions made to backtrack
  { file: 'backtracking-amounts.xlsx', about: 'amounts of 100 digits and spaces ending in a non-matching character', ...DA, expect: rejected('AMOUNT_INVALID') },
  { file: 'backtracking-headers.xlsx', about: 'headers of 30 000 spaces then "!", of "2022 " × 6 000 then "x"', ...DA, expect: BASE },
  { file: 'backtracking.csv', about: 'the same in a CSV: a 40 000-character header, amounts that never match', ...ADEME, expect: rejected('AMOUNT_INVALID') },
  // formulas and error values
  { file: 'formulas-cached.xlsx', about: 'every cell a formula, with its cached value', ...DA, expect: BASE },
  { file: 'formulas-uncached.xlsx', about: 'amounts as formulas without cached values (never calculated)', ...DA, expect: { ...rejected('FORMULA_ERROR'), errors: 3 } },
  { file: 'excel-errors.xlsx', about: 'each Excel error value (#NULL! … #GETTING_DATA) in an amount cell', ...DA, expect: { ...rejected('FORMULA_ERROR'), errors: 8 } },
  { file: 'excel-errors.csv', about: 'each Excel error text in an amount column of a CSV', ...ADEME, expect: { ...rejected('FORMULA_ERROR'), errors: 8 } },
  // values
  { file: 'dates-before-1900.xlsx', about: 'a start-date column holding 14/07/1789 (a date, kept) and serial -1 (no date: refused at its cell)', ...DA, expect: { ...rejected('DATE_INVALID'), errors: 1 } },
  { file: 'year-1899.xlsx', about: 'year columns 1899 and 1850: not taken for years, so no amount column', ...DA, expect: rejected('LAYOUT_UNKNOWN') },
  { file: 'amount-1e300.xlsx', about: 'an amount of 1e300', ...DA, expect: rejected('AMOUNT_ABSURD') },
  { file: 'amount-1e300.csv', about: 'an amount written 1e300 in a CSV', ...ADEME, expect: rejected('AMOUNT_ABSURD') },
  { file: 'negative-zero.xlsx', about: 'an amount of -0 (a number cell)', ...DA, expect: { status: 'PREVIEWED', lines: 2, total: '250000.50' } },
  { file: 'negative-zero.csv', about: 'amounts written -0 and -0,00 in a CSV (in place of 80 000 and 64 000)', ...ADEME, expect: { status: 'PREVIEWED', lines: 13, total: '2747200.50' } },
  { file: 'text-amounts.xlsx', about: 'à définir, voir onglet 2, NaN, Infinity in amount columns', ...DA, expect: rejected('AMOUNT_INVALID') },
  // CSV encodings and shapes
  { file: 'nul-bytes.csv', about: 'the ADEME CSV with a NUL after every line end', ...ADEME, expect: { ...ADEME_LINES, warnings: ['FILE_ENCODING'] } },
  { file: 'windows-1252.csv', about: 'the ADEME CSV in Windows-1252', ...ADEME, expect: ADEME_LINES },
  { file: 'utf16le-bom.csv', about: 'the ADEME CSV in UTF-16 LE with its BOM', ...ADEME, expect: ADEME_LINES },
  { file: 'utf16be-bom.csv', about: 'the ADEME CSV in UTF-16 BE with its BOM', ...ADEME, expect: ADEME_LINES },
  { file: 'mixed-utf8-1252.csv', about: 'half UTF-8, half Windows-1252', ...ADEME, expect: { ...ADEME_LINES, warnings: ['FILE_ENCODING'] } },
  { file: 'ragged.csv', about: 'the ADEME CSV with shorter and longer lines', ...ADEME, expect: ADEME_LINES },
];
