/** Builders for the read-stage tests: workbooks written with xlsx itself, and zips written by hand. */
import { crc32, deflateRawSync } from 'node:zlib';
import * as XLSX from 'xlsx';
import { extractZipEntry, inspectZip } from '../../../import/read/zip-inspect';
import type { ReadError } from '../../../import/read/read-error';

export { FIXTURES_DIR as FIXTURES } from '../../support/fixtures';

export interface SheetSpec {
  name: string;
  aoa: unknown[][];
  hidden?: 0 | 1 | 2;
  merges?: XLSX.Range[];
  /** Called on the sheet before writing (formulas, formats…). */
  edit?: (ws: XLSX.WorkSheet) => void;
}

export function buildWorkbook(sheets: SheetSpec[]): XLSX.WorkBook {
  const wb = XLSX.utils.book_new();
  for (const spec of sheets) {
    const ws = XLSX.utils.aoa_to_sheet(spec.aoa);
    if (spec.merges) ws['!merges'] = spec.merges;
    spec.edit?.(ws);
    XLSX.utils.book_append_sheet(wb, ws, spec.name);
  }
  wb.Workbook = { Sheets: sheets.map((s) => ({ name: s.name, Hidden: s.hidden ?? 0 })) };
  return wb;
}

/** Deflated like real files; `compression: false` (stored entries) is much faster to write for big ones. */
export function writeWorkbook(wb: XLSX.WorkBook, bookType: 'xlsx' | 'ods' | 'xls' = 'xlsx', compression = true): Buffer {
  return XLSX.write(wb, { type: 'buffer', bookType, compression }) as Buffer;
}

export function xlsxOf(sheets: SheetSpec[], bookType: 'xlsx' | 'ods' = 'xlsx', compression = true): Buffer {
  return writeWorkbook(buildWorkbook(sheets), bookType, compression);
}

/** A big workbook, built once per test file run and cached. */
const bigCache = new Map<number, Buffer>();
export function bigXlsx(rows: number): Buffer {
  let file = bigCache.get(rows);
  if (!file) {
    file = xlsxOf([{ name: 'Gros', aoa: bigAoa(rows) }], 'xlsx', false);
    bigCache.set(rows, file);
  }
  return file;
}

/** rows × cols of numbers and text, like a national grants list. */
export function bigAoa(rows: number, cols = 12): unknown[][] {
  const aoa: unknown[][] = [Array.from({ length: cols }, (_, c) => `Colonne ${c + 1}`)];
  for (let r = 1; r <= rows; r++) {
    const row: unknown[] = [];
    for (let c = 0; c < cols; c++) row.push(c % 3 === 0 ? `Projet ${r}-${c}` : r * 100 + c + 0.5);
    aoa.push(row);
  }
  return aoa;
}

// ---------------------------------------------------------------------------------------------------
// zips by hand
// ---------------------------------------------------------------------------------------------------

export interface ZipSpec {
  name: string;
  data: Buffer | string;
  /** 0 store, 8 deflate (default 8). */
  method?: 0 | 8;
  /** Lie about the uncompressed size in the central directory. */
  declaredSize?: number;
  flags?: number;
}

export function buildZip(specs: ZipSpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const spec of specs) {
    const data = typeof spec.data === 'string' ? Buffer.from(spec.data, 'utf8') : spec.data;
    const method = spec.method ?? 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const name = Buffer.from(spec.name, 'utf8');
    const crc = crc32(data) >>> 0;
    const flags = (spec.flags ?? 0) | 0x0800;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(Math.min(spec.declaredSize ?? data.length, 0xffffffff), 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(specs.length, 8);
  eocd.writeUInt16LE(specs.length, 10);
  eocd.writeUInt32LE(directory.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, eocd]);
}

/** Every entry of a zip, inflated (trusted test files only). */
export function unzip(buffer: Buffer): Array<{ name: string; data: Buffer }> {
  const inspection = inspectZip(buffer);
  return inspection.entries.map((entry) => ({ name: entry.name, data: Buffer.from(extractZipEntry(buffer, entry, 512 * 1024 * 1024)) }));
}

/** Rewrites some entries of a zip (the `mimetype` entry stays first and stored, as ODF wants). */
export function patchZip(buffer: Buffer, patch: (name: string, text: string) => string | undefined): Buffer {
  const entries = unzip(buffer).map((entry) => {
    const patched = patch(entry.name, entry.data.toString('utf8'));
    return { name: entry.name, data: patched === undefined ? entry.data : Buffer.from(patched, 'utf8') };
  });
  return buildZip(entries.map((e) => ({ ...e, method: e.name === 'mimetype' ? 0 : 8 })));
}

/** Deterministic noise (xorshift), so that no run draws bytes that happen to look like a format. */
export function junkBytes(length: number, seed = 0x9e3779b9): Buffer {
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

/** Runs `fn` and returns the ReadError it throws or rejects with (fails the test otherwise). */
export async function readErrorOf(fn: () => unknown): Promise<ReadError> {
  try {
    await fn();
  } catch (error) {
    if ((error as Error).name === 'ReadError') return error as ReadError;
    throw error;
  }
  throw new Error('expected a ReadError, got a result');
}

/**
 * Object.prototype of Node's own realm. Jest runs tests in a vm context with its own built-ins; what Node
 * creates (Buffers, messages from a worker) lives in the outer realm, so both are watched.
 */
function outerObjectPrototype(): object {
  let proto: object | null = Buffer.alloc(0);
  while (proto !== null && Object.getPrototypeOf(proto) !== null) proto = Object.getPrototypeOf(proto) as object | null;
  return proto!;
}

/** Own keys of the built-in prototypes (both realms), to check that reading a file changed none. */
export function prototypeFingerprint(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype, outerObjectPrototype()]
    .map((proto) => Reflect.ownKeys(proto).map(String).sort().join(','))
    .join('|');
}

/** True for an object whose prototype is a realm's Object.prototype or Array.prototype (and nothing else). */
export function isPlainData(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function' && typeof value !== 'symbol';
  const proto = Object.getPrototypeOf(value) as object | null;
  const tag = Object.prototype.toString.call(value);
  const plainObject = tag === '[object Object]' && proto !== null && Object.getPrototypeOf(proto) === null;
  const plainArray = Array.isArray(value) && proto !== null && Object.getPrototypeOf(Object.getPrototypeOf(proto)) === null;
  if (!plainObject && !plainArray) return false;
  return Reflect.ownKeys(value).every((key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(value, key)!;
    return typeof key === 'string' && 'value' in descriptor && isPlainData(descriptor.value);
  });
}
