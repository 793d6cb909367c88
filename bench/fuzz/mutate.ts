/**
 * Mutations of the partners' fixtures: raw bytes, the XML inside an xlsx's zip, and cells (hostile values
 * written through the xlsx library). Everything is driven by a seeded generator, so that an input is
 * rebuilt from (seed, index) alone.
 */
import * as XLSX from 'xlsx';
import { writeZip as writeZipParts } from '../zip-writer';

// ---------------------------------------------------------------------------------------------------
// seeded randomness
// ---------------------------------------------------------------------------------------------------

export interface Rng {
  /** [0, 1) */
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32 over a 32-bit state derived from the text of the seed and the input's index. */
export function createRng(seed: string, index: number): Rng {
  let h = 2166136261 ^ index;
  for (const char of `${seed}#${index}`) h = Math.imul(h ^ char.charCodeAt(0), 16777619);
  let state = h >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number): number => (max <= 0 ? 0 : Math.floor(next() * max));
  return { next, int, pick: (items) => items[int(items.length)], chance: (p) => next() < p };
}

// ---------------------------------------------------------------------------------------------------
// hostile values
// ---------------------------------------------------------------------------------------------------

const LONG = 'é'.repeat(40_000);
export const HOSTILE_TEXTS: readonly string[] = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e300',
  '-1e300',
  '1e999',
  '9'.repeat(400),
  '0x1F',
  '1_000',
  '1 000 000,00 €',
  '1.000.000,5',
  '1,050 000 €',
  '(1 000)',
  '- 5 €',
  '12,5 M€',
  '300 K€',
  'Environ 100 000 €',
  '1\u202f000\u00a0€',
  '１２３４',
  '١٢٣',
  '\u202e000 1',
  '\u200b\u200b',
  '\ud800',
  '😀€',
  'e\u0301',
  'A'.repeat(300) + '!',
  ' '.repeat(5000) + 'x',
  '1'.repeat(2000) + ',',
  ('a,' as string).repeat(3000),
  '=1/0',
  '#DIV/0!',
  '#N/A',
  'TOTAL',
  'Sous-total',
  '2023',
  '2021-2026',
  '31/12/1899',
  '29/02/1900',
  'true',
  'null',
  'undefined',
  '<script>alert(1)</script>',
  '"\';--',
  'État : 350 000',
  'DRAC : 1 500 000',
  'Région',
  'DA-01',
  LONG,
];

export const HOSTILE_NUMBERS: readonly number[] = [
  0,
  -0,
  1e300,
  -1e300,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER,
  2 ** 63,
  1e15,
  99999999999999.99,
  0.005,
  0.015,
  1.005,
  123456.789,
  -1,
  -1500.25,
  2147483648,
  1899,
  1900,
  2023,
  10000,
  60,
  -693594,
  2958466,
  1e-300,
];

/** Excel's error codes as the xlsx library stores them (t: 'e'). */
const ERROR_CODES = [0x00, 0x07, 0x0f, 0x17, 0x1d, 0x24, 0x2a, 0x2b];

const FORMULAS = ['1/0', 'SUM(A1:XFD1048576)', 'A1', 'NA()', 'INDIRECT("A"&ROW())', '"__proto__"', 'REPT("9",32767)'];

/** Text that means something in sheet XML, for numbers and attribute values. */
const XML_NUMBERS = ['', '-0', 'NaN', '1e309', '-1e309', '1E+300', '0x10', '1,5', ' 12 ', '9'.repeat(400), '-', '.', '1e', '2958466', '-1', '4294967296', '&amp;', '&#0;'];
const XML_ATTRIBUTES = [
  '',
  '0',
  '-1',
  '1048577',
  '4294967297',
  '999999999999999999999',
  'A0',
  'XFD1048576',
  'ZZZZ1',
  'A1:XFD1048576',
  'A1048576:A1',
  'B2:A1',
  '__proto__',
  'constructor',
  's',
  'n',
  'b',
  'e',
  'str',
  'inlineStr',
  'd',
  'hidden',
  'veryHidden',
  '1:16384',
  'NaN',
];
const CELL_TYPES = ['s', 'n', 'b', 'e', 'str', 'inlineStr', 'd', 'x'];

// ---------------------------------------------------------------------------------------------------
// zip: read the fixtures' entries (trusted files), write entries back
// ---------------------------------------------------------------------------------------------------

export interface ZipEntry {
  name: string;
  data: Buffer;
}

export function readZipEntries(bytes: Buffer): ZipEntry[] {
  const container = XLSX.CFB.read(bytes, { type: 'buffer' });
  const entries: ZipEntry[] = [];
  container.FileIndex.forEach((file: { type: number; content?: Uint8Array }, i: number) => {
    const name = container.FullPaths[i].replace(/^Root Entry\//, '');
    if (file.type !== 2 || !file.content || name.endsWith('/') || name.startsWith('\u0001')) return;
    if (file.content.length === 0 && !name.includes('.')) return;
    entries.push({ name, data: Buffer.from(file.content as Uint8Array) });
  });
  return entries;
}

/** A plain zip (deflate, or stored when asked), sizes and CRCs true, names flagged UTF-8. */
export function writeZip(entries: ZipEntry[], store = false): Buffer {
  return writeZipParts(entries.map((entry) => ({ name: entry.name, data: entry.data, method: store ? 0 : 8, flags: 0x0800 })));
}

// ---------------------------------------------------------------------------------------------------
// byte mutations
// ---------------------------------------------------------------------------------------------------

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x3c, 0x3e, 0x22, 0x26, 0x3b, 0x2c, 0x0a, 0x0d, 0x22, 0x30, 0x39, 0xef, 0xbb, 0xbf];

export function mutateBytes(rng: Rng, input: Buffer, others: readonly Buffer[], log: string[]): Buffer {
  let bytes = Buffer.from(input);
  const rounds = 1 + rng.int(rng.chance(0.2) ? 12 : 3);
  for (let round = 0; round < rounds; round++) {
    const at = rng.int(bytes.length + 1);
    switch (rng.int(8)) {
      case 0: {
        if (!bytes.length) break;
        const i = Math.min(at, bytes.length - 1);
        const bit = rng.int(8);
        bytes[i] ^= 1 << bit;
        log.push(`bit flip @${i} bit ${bit}`);
        break;
      }
      case 1: {
        if (!bytes.length) break;
        const i = Math.min(at, bytes.length - 1);
        bytes[i] = rng.pick(INTERESTING_BYTES);
        log.push(`byte set @${i} = 0x${bytes[i].toString(16)}`);
        break;
      }
      case 2: {
        const inserted = Buffer.from(Array.from({ length: 1 + rng.int(16) }, () => (rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.int(256))));
        bytes = Buffer.concat([bytes.subarray(0, at), inserted, bytes.subarray(at)]);
        log.push(`insert ${inserted.length} bytes @${at}`);
        break;
      }
      case 3: {
        const length = 1 + rng.int(rng.chance(0.3) ? 512 : 16);
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + length)]);
        log.push(`delete ${length} bytes @${at}`);
        break;
      }
      case 4: {
        const keep = rng.int(bytes.length);
        bytes = bytes.subarray(0, keep);
        log.push(`truncate to ${keep} bytes`);
        break;
      }
      case 5: {
        const start = rng.int(bytes.length);
        const length = 1 + rng.int(Math.min(4096, Math.max(1, bytes.length - start)));
        const chunk = bytes.subarray(start, start + length);
        const copies = rng.chance(0.1) ? 50 : 1;
        bytes = Buffer.concat([bytes.subarray(0, at), ...Array.from({ length: copies }, () => chunk), bytes.subarray(at)]);
        log.push(`duplicate ${length} bytes from @${start} ×${copies} @${at}`);
        break;
      }
      case 6: {
        const other = rng.pick(others);
        const start = rng.int(other.length);
        const chunk = other.subarray(start, start + 1 + rng.int(1024));
        bytes = Buffer.concat([bytes.subarray(0, at), chunk, bytes.subarray(at + chunk.length)]);
        log.push(`splice ${chunk.length} bytes of another fixture @${at}`);
        break;
      }
      default: {
        // 16/32-bit fields: zip sizes, offsets, counts.
        if (bytes.length < 4) break;
        const i = Math.min(at, bytes.length - 4);
        const value = rng.pick([0, 0xffffffff, 0x7fffffff, 0x80000000, 1, 0xffff, rng.int(2 ** 32)]);
        bytes.writeUInt32LE(value >>> 0, i);
        log.push(`u32 @${i} = 0x${(value >>> 0).toString(16)}`);
      }
    }
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------------
// XML text mutations inside the zip's entries
// ---------------------------------------------------------------------------------------------------

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Replaces one random match of `pattern` (global) with what `replace` returns for it. */
function replaceOne(rng: Rng, text: string, pattern: RegExp, replace: (match: RegExpExecArray) => string): { text: string; at: number } | null {
  const matches: RegExpExecArray[] = [];
  for (let m = pattern.exec(text); m !== null && matches.length < 5000; m = pattern.exec(text)) {
    matches.push(m);
    if (m[0].length === 0) pattern.lastIndex++;
  }
  if (!matches.length) return null;
  const match = rng.pick(matches);
  return { text: text.slice(0, match.index) + replace(match) + text.slice(match.index + match[0].length), at: match.index };
}

export function mutateXml(rng: Rng, xml: string, log: string[]): string {
  let text = xml;
  const rounds = 1 + rng.int(rng.chance(0.2) ? 10 : 3);
  for (let round = 0; round < rounds; round++) {
    let result: { text: string; at: number } | null = null;
    let what = '';
    switch (rng.int(11)) {
      case 0:
        what = 'attribute value';
        result = replaceOne(rng, text, /(\w[\w:]*)="([^"]*)"/g, (m) => `${m[1]}="${xmlEscape(rng.pick(XML_ATTRIBUTES))}"`);
        break;
      case 1:
        what = 'number <v>';
        result = replaceOne(rng, text, /<v>([^<]*)<\/v>/g, () => `<v>${rng.chance(0.7) ? rng.pick(XML_NUMBERS) : String(rng.pick(HOSTILE_NUMBERS))}</v>`);
        break;
      case 2:
        what = 'string <t>';
        result = replaceOne(rng, text, /<t(\s[^>]*)?>([^<]*)<\/t>/g, (m) => `<t${m[1] ?? ''}>${rng.chance(0.9) ? xmlEscape(rng.pick(HOSTILE_TEXTS)) : rng.pick(['<', '&', '&bogus;', ']]>', '&#xD800;'])}</t>`);
        break;
      case 3:
        what = 'cell type';
        result = rng.chance(0.5)
          ? replaceOne(rng, text, / t="[^"]*"/g, () => ` t="${rng.pick(CELL_TYPES)}"`)
          : replaceOne(rng, text, /<c r="([A-Z]+\d+)"/g, (m) => `<c r="${m[1]}" t="${rng.pick(CELL_TYPES)}"`);
        break;
      case 4:
        what = 'dimension / merge / ref';
        result = replaceOne(rng, text, /\b(ref|sqref|spans)="([^"]*)"/g, (m) => `${m[1]}="${rng.pick(XML_ATTRIBUTES)}"`);
        break;
      case 5:
        what = 'cell reference';
        result = replaceOne(rng, text, /\br="([^"]*)"/g, () => `r="${rng.pick(['A1', 'XFD1048576', 'A1048577', 'AAAA1', '0', '', 'B-1', 'A' + rng.int(2000), '1' + rng.int(99)])}"`);
        break;
      case 6: {
        what = 'duplicate element';
        result = replaceOne(rng, text, /<(row|c|si|sheet|mergeCell|xf)\b[^>]*?(\/>|>[\s\S]*?<\/\1>)/g, (m) => m[0].repeat(rng.chance(0.1) ? 200 : 2));
        break;
      }
      case 7:
        what = 'delete element';
        result = replaceOne(rng, text, /<(row|c|si|sheet|mergeCell|xf|v|f|t)\b[^>]*?(\/>|>[\s\S]*?<\/\1>)/g, () => '');
        break;
      case 8:
        what = 'inline formula / value';
        result = replaceOne(rng, text, /<c ([^>]*?)(\/>|>)/g, (m) => `<c ${m[1].replace(/\/$/, '')}${rng.chance(0.5) ? ` t="${rng.pick(CELL_TYPES)}"` : ''}><f>${xmlEscape(rng.pick(FORMULAS))}</f><v>${xmlEscape(String(rng.chance(0.5) ? rng.pick(HOSTILE_NUMBERS) : rng.pick(HOSTILE_TEXTS).slice(0, 200)))}</v></c>${m[2] === '>' ? '<c>' : ''}`);
        break;
      case 9: {
        what = 'characters';
        if (!text.length) break;
        const at = rng.int(text.length);
        const length = rng.int(20);
        text = text.slice(0, at) + rng.pick(['', '<', '>', '"', '&', '/>', '</c>', '<c>', '\u0000', '\uffff', '<!--', '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>']) + text.slice(at + length);
        log.push(`${what} @${at}`);
        continue;
      }
      default:
        what = 'sheet name / state';
        result = replaceOne(rng, text, /\b(name|state)="([^"]*)"/g, (m) => `${m[1]}="${xmlEscape(rng.pick(['__proto__', 'constructor', 'hidden', 'veryHidden', '', LONG.slice(0, 40), 'Programmation 2023']))}"`);
    }
    if (result) {
      text = result.text;
      log.push(`${what} @${result.at}`);
    }
  }
  return text;
}

export function mutateZipXml(rng: Rng, bytes: Buffer, log: string[]): Buffer {
  const entries = readZipEntries(bytes);
  const xmls = entries.filter((entry) => /\.(xml|rels)$/.test(entry.name));
  // The sheets and shared strings hold the data: mutate them most often.
  const weighted = [...xmls, ...xmls.filter((entry) => /sheet\d*\.xml$|sharedStrings|content\.xml/.test(entry.name)).flatMap((entry) => [entry, entry, entry])];
  const touched = 1 + rng.int(rng.chance(0.2) ? 3 : 1);
  for (let i = 0; i < touched && weighted.length; i++) {
    const entry = rng.pick(weighted);
    const entryLog: string[] = [];
    entry.data = Buffer.from(mutateXml(rng, entry.data.toString('utf8'), entryLog), 'utf8');
    log.push(`${entry.name}: ${entryLog.join(', ') || 'unchanged'}`);
  }
  if (rng.chance(0.05)) {
    const dropped = entries.splice(rng.int(entries.length), 1)[0];
    log.push(`entry dropped: ${dropped?.name}`);
  }
  const store = rng.chance(0.2);
  if (store) log.push('re-zipped stored');
  return writeZip(entries, store);
}

// ---------------------------------------------------------------------------------------------------
// cell mutations, through the xlsx library
// ---------------------------------------------------------------------------------------------------

function hostileCell(rng: Rng): XLSX.CellObject | null {
  switch (rng.int(8)) {
    case 0:
      return { t: 'n', v: rng.pick(HOSTILE_NUMBERS) };
    case 1:
    case 2:
      return { t: 's', v: rng.pick(HOSTILE_TEXTS) };
    case 3:
      return { t: 'n', v: rng.pick(HOSTILE_NUMBERS), f: rng.pick(FORMULAS) };
    case 4:
      return { t: 'e', v: rng.pick(ERROR_CODES) };
    case 5:
      return rng.chance(0.5)
        ? { t: 'n', v: rng.pick([-1, 0, 1, 59, 60, 61, 366, 44927, 2958465, 3e6]), z: rng.pick(['dd/mm/yyyy', 'yyyy', 'mm/dd/yy hh:mm', '#,##0.00 €']) }
        : { t: 'd', v: new Date(rng.pick([Date.UTC(1899, 11, 31), Date.UTC(1900, 1, 28), Date.UTC(1850, 0, 1), Date.UTC(2023, 0, 1), Date.UTC(9999, 11, 31)])) };
    case 6:
      return { t: 'b', v: rng.chance(0.5) };
    default:
      return null;
  }
}

function describeCell(cell: XLSX.CellObject | null): string {
  if (!cell) return 'empty';
  const value = cell.v instanceof Date ? cell.v.toISOString() : typeof cell.v === 'string' && cell.v.length > 40 ? `${cell.v.slice(0, 20)}…(${cell.v.length} chars)` : JSON.stringify(cell.v);
  return `${cell.t}:${value}${cell.f ? ` f=${cell.f}` : ''}${cell.z ? ` z=${cell.z}` : ''}`;
}

/** Opens the workbook (a trusted fixture), replaces cells with hostile values, writes it back (xlsx, or ods/csv now and then). */
export function mutateCells(rng: Rng, bytes: Buffer, isCsv: boolean, log: string[]): { bytes: Buffer; extension: string } {
  const book = isCsv ? XLSX.read(bytes.toString('utf8'), { type: 'string', raw: true }) : XLSX.read(bytes, { type: 'buffer', cellStyles: false });
  const sheetName = rng.pick(book.SheetNames.slice(0, 1).concat(book.SheetNames));
  const sheet = book.Sheets[sheetName];
  const range = XLSX.utils.decode_range(sheet['!ref'] ?? 'A1:A1');
  const count = 1 + rng.int(rng.chance(0.2) ? 30 : 4);
  for (let i = 0; i < count; i++) {
    // Headers decide the layout: hit the first rows more often.
    const row = rng.chance(0.3) ? range.s.r + rng.int(Math.min(6, range.e.r - range.s.r + 1)) : range.s.r + rng.int(range.e.r - range.s.r + 2);
    const col = range.s.c + rng.int(range.e.c - range.s.c + 2);
    const address = XLSX.utils.encode_cell({ r: row, c: col });
    const cell = hostileCell(rng);
    if (cell) sheet[address] = cell;
    else delete sheet[address];
    log.push(`${sheetName}!${address} = ${describeCell(cell)}`);
  }
  const extended = XLSX.utils.decode_range(sheet['!ref'] ?? 'A1:A1');
  extended.e.r = Math.max(extended.e.r, range.e.r + 1);
  extended.e.c = Math.max(extended.e.c, range.e.c + 1);
  sheet['!ref'] = XLSX.utils.encode_range(extended);
  if (!isCsv && rng.chance(0.05)) {
    const name = rng.pick(['__proto__', 'constructor', 'toString']);
    if (!book.SheetNames.includes(name)) {
      book.SheetNames.push(name);
      book.Sheets[name] = XLSX.utils.aoa_to_sheet([['Action', 'Montant'], ['DA-01', 1000]]);
      log.push(`sheet added: ${name}`);
    }
  }
  const format = isCsv ? (rng.chance(0.9) ? 'csv' : 'xlsx') : rng.chance(0.9) ? 'xlsx' : rng.pick(['ods', 'csv'] as const);
  if (format === 'csv') {
    const separator = rng.pick([';', ',']);
    const text = XLSX.utils.sheet_to_csv(sheet, { FS: separator });
    log.push(`written as csv (${JSON.stringify(separator)})`);
    return { bytes: Buffer.from(text, 'utf8'), extension: 'csv' };
  }
  // Excel's own limit: a longer text is only reachable through CSV or the XML itself.
  for (const key of Object.keys(sheet)) {
    const cell = sheet[key] as XLSX.CellObject;
    if (!key.startsWith('!') && typeof cell.v === 'string' && cell.v.length > 32767) cell.v = cell.v.slice(0, 32767);
  }
  log.push(`written as ${format}`);
  return { bytes: Buffer.from(XLSX.write(book, { type: 'buffer', bookType: format }) as Buffer), extension: format };
}
