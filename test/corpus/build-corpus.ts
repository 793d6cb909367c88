/**
 * Builds the hostile-file corpus (issue 7, point 1): `npm run corpus` writes every small file into
 * test/corpus/files/ (committed: the test reads them as they are) and, with `--big`, the big ones into
 * the temporary directory (they are never committed: corpus.test.ts builds them itself at test time).
 *
 * Every file is made from code here, deterministically (no clock, no random without a seed), so that the
 * committed bytes can be checked against this script: `npm run corpus -- --check` rebuilds and compares.
 * What each file must produce is in manifest.ts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as XLSX from 'xlsx';
import { editZip, writeZip } from './zip';

export const CORPUS_DIR = join(__dirname, 'files');
export const BIG_CORPUS_DIR = join(tmpdir(), 'crte-corpus-big');
const ADEME_CSV = join(__dirname, '..', 'fixtures', 'partners', 'annexe3-ademe-2021-2023.csv');
const BDT_XLSX = join(__dirname, '..', 'fixtures', 'partners', 'annexe3-banque-des-territoires-2023.xlsx');

// ---------------------------------------------------------------------------------------------------
// bases: a small annex 3 table by year (source Douaisis Agglo) and the ADEME CSV fixture
// ---------------------------------------------------------------------------------------------------

export const HEADER = ['N° action', 'Intitulé', "Maître d'ouvrage", 2022, 2023];
/** 3 lines (the zero of DA-01 2023 is a line too), 1 350 000,50 € in all. */
export const ROWS: unknown[][] = [
  ['DA-02', 'Centre de formation des apprentis', 'Douaisis Agglo', 100000, 250000.5],
  ['DA-01', 'Quartier d’affaires EuraDouai', 'Douaisis Agglo', 1000000, null],
];

function book(sheets: Array<{ name: string; rows: unknown[][]; hidden?: boolean; edit?: (sheet: XLSX.WorkSheet) => void }>): XLSX.WorkBook {
  const wb = XLSX.utils.book_new();
  for (const spec of sheets) {
    const sheet = XLSX.utils.aoa_to_sheet(spec.rows);
    spec.edit?.(sheet);
    XLSX.utils.book_append_sheet(wb, sheet, spec.name);
  }
  wb.Workbook = { Sheets: sheets.map((spec) => ({ Hidden: spec.hidden ? 1 : 0 })) } as XLSX.WBProps;
  return wb;
}

function xlsx(wb: XLSX.WorkBook): Buffer {
  return XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
}

function table(rows: unknown[][] = ROWS, header: unknown[] = HEADER, name = 'Programmation'): Buffer {
  return xlsx(book([{ name, rows: [header, ...rows] }]));
}

function ademe(): Buffer {
  return readFileSync(ADEME_CSV);
}

/** The ADEME CSV as text, without its BOM. */
function ademeText(): string {
  return ademe().toString('utf8').replace(/^\uFEFF/, '');
}

/** A deterministic byte generator (xorshift32), for junk that must be the same on every build. */
function junk(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function cfb(streams: Record<string, Buffer>): Buffer {
  const container = XLSX.CFB.utils.cfb_new();
  for (const [name, data] of Object.entries(streams)) XLSX.CFB.utils.cfb_add(container, name, data);
  return Buffer.from(XLSX.CFB.write(container, { type: 'buffer' }) as Buffer);
}

/** A sheet XML written by hand (for what the library would not write), inside the base workbook. */
function withSheetXml(sheetXml: string, extra: Record<string, Buffer | ((text: string) => string) | null> = {}): Buffer {
  return editZip(table(), { 'xl/worksheets/sheet1.xml': Buffer.from(sheetXml, 'utf8'), ...extra });
}

const SHEET_HEAD =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">';

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** One `<c>`: a number, an inline string, or a formula (with or without its cached value). */
function cellXml(ref: string, value: unknown, formula?: string, type?: string): string {
  const f = formula !== undefined ? `<f>${xmlEscape(formula)}</f>` : '';
  if (type === 'e') return `<c r="${ref}" t="e">${f}<v>${xmlEscape(String(value))}</v></c>`;
  if (value === null || value === undefined) return `<c r="${ref}">${f}</c>`;
  if (typeof value === 'number') return `<c r="${ref}">${f}<v>${value}</v></c>`;
  if (formula !== undefined) return `<c r="${ref}" t="str">${f}<v>${xmlEscape(String(value))}</v></c>`;
  return `<c r="${ref}" t="inlineStr"><is><t>${xmlEscape(String(value))}</t></is></c>`;
}

function rowsXml(rows: unknown[][], cell: (value: unknown, ref: string, r: number, c: number) => string = (v, ref) => cellXml(ref, v)): string {
  return rows
    .map((row, r) => `<row r="${r + 1}">${row.map((value, c) => cell(value, `${columnName(c)}${r + 1}`, r, c)).join('')}</row>`)
    .join('');
}

// ---------------------------------------------------------------------------------------------------
// the builders, by file name (manifest.ts says what each must produce)
// ---------------------------------------------------------------------------------------------------

const ERROR_VALUES = ['#NULL!', '#DIV/0!', '#VALUE!', '#REF!', '#NAME?', '#NUM!', '#N/A', '#GETTING_DATA'];
const BACKTRACK = '1 '.repeat(99) + 'x';

export const BUILDERS: Record<string, () => Buffer> = {
  // --- not a spreadsheet, damaged, empty -----------------------------------------------------------
  'empty.xlsx': () => Buffer.alloc(0),
  'empty.csv': () => Buffer.alloc(0),
  'blank-lines.csv': () => Buffer.from(';;;\r\n\r\n   \r\n;\r\n', 'utf8'),
  'not-a-zip.xlsx': () => junk(4096, 7),
  'pdf-renamed.xlsx': () => Buffer.concat([Buffer.from('%PDF-1.7\n%\u00e2\u00e3\n', 'latin1'), junk(2048, 11)]),
  'png-renamed.csv': () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), junk(1024, 13)]),
  'truncated.xlsx': () => {
    const whole = table();
    return whole.subarray(0, Math.floor(whole.length * 0.6));
  },
  'truncated-directory.xlsx': () => {
    const whole = table();
    return whole.subarray(0, whole.length - 30);
  },
  'empty-zip.xlsx': () => writeZip([]),
  'docx-renamed.xlsx': () =>
    writeZip([
      { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>') },
      { name: 'word/document.xml', data: Buffer.from('<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>') },
    ]),
  'no-cells.xlsx': () => xlsx(book([{ name: 'Vide', rows: [] }])),
  'hidden-only.xlsx': () => xlsx(book([{ name: 'Programmation', rows: [HEADER, ...ROWS], hidden: true }])),
  'mostly-nul.csv': () => Buffer.concat([Buffer.from('a;b\n'), Buffer.alloc(4096, 0), Buffer.from('1;2\n')]),
  'unclosed-quote.csv': () => Buffer.from(`${ademeText().replace('DA-41;', '"DA-41;')}`, 'utf8'),

  // --- encrypted ---------------------------------------------------------------------------------------
  'encrypted.xlsx': () =>
    cfb({
      // Agile encryption header (version 4.4), then an opaque ciphered package.
      EncryptionInfo: Buffer.concat([Buffer.from([4, 0, 4, 0, 0x40, 0, 0, 0]), Buffer.from('<?xml version="1.0"?><encryption xmlns="http://schemas.microsoft.com/office/2006/encryption"/>')]),
      EncryptedPackage: junk(4096, 17),
    }),
  'encrypted-zip-entries.xlsx': () => {
    const parts = [
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>'), flags: 1 },
      { name: 'xl/workbook.xml', data: junk(512, 19), flags: 1, method: 0 as const },
      { name: 'xl/worksheets/sheet1.xml', data: junk(512, 23), flags: 1, method: 0 as const },
    ];
    return writeZip(parts);
  },
  'legacy-xls-renamed.xlsx': () => cfb({ Workbook: junk(2048, 29) }),

  // --- zip bombs -------------------------------------------------------------------------------------
  'zip-bomb-declared.xlsx': () => {
    // A real little workbook whose directory says sheet1.xml inflates to 3.9 GB.
    const parts = editZip(table(), {});
    return rewriteDeclaredSize(parts, 'xl/worksheets/sheet1.xml', 0xf0000000);
  },
  'zip-bomb-ratio.xlsx': () => {
    // An honest deflate bomb: 60 MB of spaces inside a sheet, about 60 KB on disk (ratio ~1000).
    const sheet = Buffer.concat([Buffer.from(SHEET_HEAD + '<sheetData>'), Buffer.alloc(60 * 1024 * 1024, 0x20), Buffer.from('</sheetData></worksheet>')]);
    return withSheetXml('', { 'xl/worksheets/sheet1.xml': sheet });
  },
  'zip-bomb-many-parts.xlsx': () => {
    // 1 500 small parts each declaring 150 KB: no single ratio stands out, the total (220 MB) does.
    const base = editZip(table(), {});
    let zip = base;
    const extra: Record<string, Buffer> = {};
    for (let i = 0; i < 1500; i++) extra[`xl/media/image${i}.bin`] = Buffer.alloc(64, i & 0xff);
    zip = editZip(base, extra);
    for (let i = 0; i < 1500; i++) zip = rewriteDeclaredSize(zip, `xl/media/image${i}.bin`, 150 * 1024);
    return zip;
  },
  'zip-path-traversal.xlsx': () => editZip(table(), { '../../../../tmp/crte-corpus-evil.txt': Buffer.from('evil'), '/etc/crte-corpus-evil': Buffer.from('evil') }),

  // --- size and shape ----------------------------------------------------------------------------------
  'columns-16000.xlsx': () => {
    const width = 16_000;
    const header = [...HEADER, ...Array.from({ length: width - HEADER.length }, (_, i) => `Colonne ${i + 1}`)];
    const rows = ROWS.map((row) => [...row, ...Array.from({ length: width - row.length }, (_, i) => i)]);
    return withSheetXml(`${SHEET_HEAD}<sheetData>${rowsXml([header, ...rows])}</sheetData></worksheet>`);
  },
  // Excel stops at 32 767 characters a cell; a hostile file does not (written by hand).
  'cells-40000-chars.xlsx': () =>
    withSheetXml(
      `${SHEET_HEAD}<sheetData>${rowsXml([
        HEADER,
        ['DA-02', 'Centre de formation des apprentis '.repeat(1200).slice(0, 40_000), 'Douaisis Agglo', 100000, 250000.5],
        ['DA-01', 'Quartier d’affaires EuraDouai', 'D'.repeat(40_000), 1000000, null],
      ])}</sheetData></worksheet>`,
    ),
  'amount-40000-chars.xlsx': () =>
    withSheetXml(`${SHEET_HEAD}<sheetData>${rowsXml([HEADER, ['DA-02', 'CFA', 'Douaisis Agglo', '1 000 '.repeat(6667).slice(0, 40_000), 250000.5]])}</sheetData></worksheet>`),
  'dimension-lies.xlsx': () =>
    withSheetXml(`${SHEET_HEAD}<dimension ref="A1:XFD1048576"/><sheetData>${rowsXml([HEADER, ...ROWS])}</sheetData></worksheet>`),

  // --- prototype pollution ----------------------------------------------------------------------------
  'sheet-named-proto.xlsx': () => table(ROWS, HEADER, '__proto__'),
  'headers-proto-constructor.xlsx': () =>
    table(
      ROWS.map((row) => [...row, 'x', 'y', 'z', 'w']),
      [...HEADER, '__proto__', 'constructor', 'prototype', 'hasOwnProperty'],
    ),
  'comment-at-proto.xlsx': () => {
    // CVE-2023-30533: a comment whose ref is "__proto__" makes xlsx 0.18.5 write into Object.prototype.
    const wb = book([{ name: 'Programmation', rows: [HEADER, ...ROWS], edit: (sheet) => ((sheet.A1 as XLSX.CellObject).c = [{ a: 'Corpus', t: 'pollution' }] as XLSX.Comments) }]);
    return editZip(xlsx(wb), { 'xl/comments1.xml': (text) => text.replace(/ref="A1"/g, 'ref="__proto__"') });
  },
  'cell-ref-proto.xlsx': () =>
    withSheetXml(
      `${SHEET_HEAD}<sheetData>${rowsXml([HEADER, ...ROWS])}<row r="9"><c r="__proto__" t="inlineStr"><is><t>pollution</t></is></c><c r="constructor"><v>1</v></c></row></sheetData></worksheet>`,
    ),

  // --- regular expressions made to backtrack ------------------------------------------------------------
  'backtracking-amounts.xlsx': () =>
    table([
      ['DA-02', 'CFA', 'Douaisis Agglo', BACKTRACK, '1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1x'],
      ['DA-01', 'EuraDouai', 'Douaisis Agglo', '1.'.repeat(99) + '!', `${'0'.repeat(150)} ${'9'.repeat(40)}€€`],
    ]),
  'backtracking-headers.xlsx': () =>
    table(ROWS.map((row) => [...row, 1, 2]), [...HEADER, ' '.repeat(30_000) + '!', '2022 '.repeat(6_000) + 'x']),
  'backtracking.csv': () =>
    Buffer.from(
      `numero;intitule;financeur;annee;montant_demande;${'2 '.repeat(20_000)}x\r\n` +
        `DA-40;Étude;ADEME;2022;${BACKTRACK};1\r\nDA-41;Station;ADEME;2023;${'9 999 '.repeat(30)}a;1\r\n`,
      'utf8',
    ),

  // --- formulas and error values -----------------------------------------------------------------------
  'formulas-cached.xlsx': () =>
    withSheetXml(
      `${SHEET_HEAD}<sheetData>${rowsXml([HEADER, ...ROWS], (value, ref) =>
        cellXml(ref, value, typeof value === 'number' ? `${value}+0` : value === null ? undefined : `"${String(value)}"`),
      )}</sheetData></worksheet>`,
    ),
  'formulas-uncached.xlsx': () =>
    withSheetXml(
      `${SHEET_HEAD}<sheetData>${rowsXml([HEADER, ...ROWS], (value, ref, r) =>
        r > 0 && typeof value === 'number' ? `<c r="${ref}"><f>${value}+0</f></c>` : cellXml(ref, value),
      )}</sheetData></worksheet>`,
    ),
  'excel-errors.xlsx': () =>
    withSheetXml(
      `${SHEET_HEAD}<sheetData>${rowsXml([
        HEADER,
        ...ERROR_VALUES.map((error, i) => [`DA-0${(i % 2) + 1}`, `Action ${i}`, 'Douaisis Agglo', error, null]),
      ], (value, ref, r, c) => (r > 0 && c === 3 ? cellXml(ref, value, '1/0', 'e') : cellXml(ref, value)))}</sheetData></worksheet>`,
    ),
  'excel-errors.csv': () =>
    Buffer.from(
      'numero;intitule;financeur;annee;montant_demande;montant_attribue;montant_paye\r\n' +
        ERROR_VALUES.map((error, i) => `DA-40;Étude ${i};ADEME;2022;${error};;`).join('\r\n') +
        '\r\n',
      'utf8',
    ),

  // --- values: dates before 1900, 1e300, -0, text ---------------------------------------------------------
  'dates-before-1900.xlsx': () =>
    table(
      [
        ['DA-02', 'CFA', 'Douaisis Agglo', '14/07/1789', 100000, 250000.5],
        ['DA-01', 'EuraDouai', 'Douaisis Agglo', -1, 1000000, null],
      ],
      ['N° action', 'Intitulé', "Maître d'ouvrage", 'Date de début', 2022, 2023],
    ),
  'year-1899.xlsx': () => table(ROWS, ['N° action', 'Intitulé', "Maître d'ouvrage", 1899, 1850]),
  'amount-1e300.xlsx': () => table([['DA-02', 'CFA', 'Douaisis Agglo', 1e300, 250000.5]]),
  'amount-1e300.csv': () => Buffer.from(ademeText().replace('950000,50', '1e300'), 'utf8'),
  'negative-zero.xlsx': () => withSheetXml(`${SHEET_HEAD}<sheetData>${rowsXml([HEADER, ['DA-02', 'CFA', 'Douaisis Agglo', -0, 250000.5]], (value, ref) => (Object.is(value, -0) ? `<c r="${ref}"><v>-0</v></c>` : cellXml(ref, value)))}</sheetData></worksheet>`),
  'negative-zero.csv': () => Buffer.from(ademeText().replace('80000;64000;0;', '-0;-0,00;0;'), 'utf8'),
  'text-amounts.xlsx': () =>
    table([
      ['DA-02', 'CFA', 'Douaisis Agglo', 'à définir', 'voir onglet 2'],
      ['DA-01', 'EuraDouai', 'Douaisis Agglo', 'NaN', 'Infinity'],
    ]),

  // --- CSV encodings and shapes ---------------------------------------------------------------------------
  'nul-bytes.csv': () => {
    const text = ademe();
    const parts: Buffer[] = [];
    // A NUL after every line end (a tool's padding), and two inside cells.
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === 0x0a) {
        parts.push(text.subarray(start, i + 1), Buffer.from([0]));
        start = i + 1;
      }
    }
    parts.push(text.subarray(start));
    return Buffer.concat(parts);
  },
  'windows-1252.csv': () => Buffer.from(ademeText().replace(/é/g, '\u00e9').replace('Étude', 'Étude – œuvre'), 'latin1'),
  'utf16le-bom.csv': () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ademeText(), 'utf16le')]),
  'utf16be-bom.csv': () => {
    const le = Buffer.from(ademeText(), 'utf16le');
    for (let i = 0; i + 1 < le.length; i += 2) {
      const b = le[i];
      le[i] = le[i + 1];
      le[i + 1] = b;
    }
    return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
  },
  'mixed-utf8-1252.csv': () => {
    // Two exports pasted together: the first half in UTF-8, the second in Windows-1252.
    const lines = ademeText().split('\r\n');
    const half = Math.ceil(lines.length / 2);
    return Buffer.concat([Buffer.from(lines.slice(0, half).join('\r\n') + '\r\n', 'utf8'), Buffer.from(lines.slice(half).join('\r\n'), 'latin1')]);
  },
  'ragged.csv': () => {
    const lines = ademeText().split('\r\n');
    // Shorter lines (trailing empty fields dropped) and longer ones (stray separators at the end).
    return Buffer.from(
      lines.map((line, i) => (i === 0 ? line : i % 3 === 0 ? line.replace(/(;HT|;TTC)$/, '').replace(/;+$/, '') : i % 3 === 1 ? `${line};;;;` : line)).join('\r\n'),
      'utf8',
    );
  },
  'sheet-named-proto-bdt.xlsx': () => {
    const wb = XLSX.read(readFileSync(BDT_XLSX), { type: 'buffer', cellFormula: true, cellNF: true, cellStyles: true });
    const first = wb.SheetNames[0];
    Object.defineProperty(wb.Sheets, '__proto__', { value: wb.Sheets[first], enumerable: true, configurable: true, writable: true });
    delete wb.Sheets[first];
    wb.SheetNames[0] = '__proto__';
    return xlsx(wb);
  },
  'xml-entity-expansion.xlsx': () => {
    const entities = ['<!ENTITY a "aaaaaaaaaa">'];
    for (let i = 1; i < 10; i++) entities.push(`<!ENTITY ${String.fromCharCode(97 + i)} "${`&${String.fromCharCode(96 + i)};`.repeat(10)}">`);
    const doctype = `<!DOCTYPE worksheet [${entities.join('')}]>`;
    return withSheetXml(
      `<?xml version="1.0" encoding="UTF-8"?>${doctype}${SHEET_HEAD.replace(/^<\?xml[^>]*>\n/, '')}<sheetData>${rowsXml([HEADER, ...ROWS])}<row r="5"><c r="B5" t="inlineStr"><is><t>&j;</t></is></c></row></sheetData></worksheet>`,
    );
  },
};

/** The big ones: built at test time (or by `npm run corpus -- --big`), never committed. */
export const BIG_BUILDERS: Record<string, () => Buffer> = {
  // 1.9 MB of directory: built at test time rather than committed.
  'zip-too-many-entries.xlsx': () => {
    const extra: Record<string, Buffer> = {};
    for (let i = 0; i < 20_500; i++) extra[`x/${i}`] = Buffer.alloc(0);
    return editZip(table(), extra);
  },
  'rows-1000000.xlsx': () => {
    // 1 000 000 data rows under the annex 3 header, written as XML by hand (the library would need GBs).
    const chunks: string[] = [SHEET_HEAD, '<sheetData>', rowsXml([HEADER])];
    for (let r = 2; r <= 1_000_001; r++) chunks.push(`<row r="${r}"><c r="A${r}" t="inlineStr"><is><t>X${r}</t></is></c><c r="D${r}"><v>1</v></c></row>`);
    chunks.push('</sheetData></worksheet>');
    return withSheetXml(chunks.join(''));
  },
  'rows-1000000.csv': () => Buffer.from('a;b;c;d;e\n'.repeat(1_000_000), 'utf8'),
};

function rewriteDeclaredSize(zip: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(zip);
  const target = Buffer.from(name, 'utf8');
  for (let p = out.length - 22; p >= 0; p--) {
    if (out.readUInt32LE(p) !== 0x02014b50) continue;
    const nameLength = out.readUInt16LE(p + 28);
    if (nameLength === target.length && out.subarray(p + 46, p + 46 + nameLength).equals(target)) {
      out.writeUInt32LE(size >>> 0, p + 24);
      return out;
    }
  }
  throw new Error(`${name} not in the zip`);
}

export function buildFile(name: string): Buffer {
  const builder = BUILDERS[name] ?? BIG_BUILDERS[name];
  if (!builder) throw new Error(`no builder for ${name}`);
  return builder();
}

function main(argv: string[]): void {
  const check = argv.includes('--check');
  const big = argv.includes('--big');
  mkdirSync(CORPUS_DIR, { recursive: true });
  const stale: string[] = [];
  for (const name of Object.keys(BUILDERS)) {
    const bytes = BUILDERS[name]();
    const path = join(CORPUS_DIR, name);
    if (check) {
      if (!existsSync(path) || !readFileSync(path).equals(bytes)) stale.push(name);
    } else writeFileSync(path, bytes);
  }
  if (big && !check) {
    mkdirSync(BIG_CORPUS_DIR, { recursive: true });
    for (const name of Object.keys(BIG_BUILDERS)) writeFileSync(join(BIG_CORPUS_DIR, name), BIG_BUILDERS[name]());
  }
  if (check && stale.length) {
    console.error(`Fichiers du corpus à reconstruire (npm run corpus) : ${stale.join(', ')}`);
    process.exitCode = 1;
    return;
  }
  console.log(`${Object.keys(BUILDERS).length} fichiers ${check ? 'vérifiés' : 'écrits'} dans ${CORPUS_DIR}` + (big && !check ? `, ${Object.keys(BIG_BUILDERS).length} gros fichiers dans ${BIG_CORPUS_DIR}` : ''));
}

if (require.main === module) main(process.argv.slice(2));
