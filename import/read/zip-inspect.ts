/**
 * Reads a zip's central directory without inflating anything, so that the main thread can refuse a hostile
 * or broken file before a parser (xlsx 0.18.5, which has known flaws) ever sees it.
 *
 * - Finds the End Of Central Directory record (and the Zip64 one when the sizes need it), then walks every
 *   central directory entry: name, method, flags, compressed and declared uncompressed sizes.
 * - Refuses (ReadError) a truncated or incoherent directory (FILE_CORRUPT), a total declared uncompressed size
 *   above the limit or an absurd compression ratio (FILE_ZIP_BOMB), an encrypted entry (FILE_ENCRYPTED).
 * - Tells an xlsx workbook from an ods one from any other zip (docx, pptx, odt, xlsb, plain archive).
 *
 * Everything here is linear in the size of the directory and bounded by `maxEntries`.
 */
import { inflateRawSync } from 'node:zlib';
import { duringNativeCall, WorkerStopping } from './native-call-guard';
import { ReadError, readMessages } from './read-error';

export interface ZipEntryInfo {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  flags: number;
  compressedSize: number;
  /** As declared by the directory: a hostile file may lie, so parsing still runs under memory limits. */
  uncompressedSize: number;
  localHeaderOffset: number;
  /** Traditional PKWARE or strong encryption (flag bit 0). */
  encrypted: boolean;
}

export type ZipContentKind =
  | 'xlsx'
  | 'ods'
  | 'xlsb'
  | 'docx'
  | 'pptx'
  | 'opendocument-other'
  | 'archive'
  | 'empty';

export interface ZipInspection {
  kind: ZipContentKind;
  entries: ZipEntryInfo[];
  totalCompressedSize: number;
  totalUncompressedSize: number;
  /** The `mimetype` entry of an OpenDocument file, when there is one (read from a stored or small entry). */
  mimetype?: string;
}

export interface ZipLimits {
  /** Refuse when the entries declare more than this, in all (default 100 MB: a worker parsing 190 MB of sheet XML took 1.9 GB and 30 s). */
  maxTotalUncompressedBytes?: number;
  /** Refuse an entry that declares more than `maxRatio` times its compressed size… (default 500) */
  maxRatio?: number;
  /** …once it declares at least this much (default 1 MB: small entries compress as they like). */
  ratioFloorBytes?: number;
  /** Refuse a directory with more entries (default 20 000; a workbook has tens). */
  maxEntries?: number;
}

const DEFAULT_ZIP_LIMITS: Required<ZipLimits> = {
  maxTotalUncompressedBytes: 100 * 1024 * 1024,
  maxRatio: 500,
  ratioFloorBytes: 1024 * 1024,
  maxEntries: 20_000,
};

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
/** Deflate cannot do better than about 1032:1; a declared ratio above that is a lie. */
const DEFLATE_MAX_RATIO = 1100;

const ODS_MIMETYPES = new Set([
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.spreadsheet-template',
]);

function corrupt(detail: string): ReadError {
  return new ReadError('FILE_CORRUPT', readMessages.truncatedZip(), { detail: `zip: ${detail}` });
}

/** True when the buffer starts like a zip (local file header, or the EOCD of an empty archive). */
export function looksLikeZip(buffer: Uint8Array): boolean {
  return (
    buffer.length >= 4 &&
    buffer[0] === 0x50 &&
    buffer[1] === 0x4b &&
    ((buffer[2] === 0x03 && buffer[3] === 0x04) ||
      (buffer[2] === 0x05 && buffer[3] === 0x06) ||
      (buffer[2] === 0x07 && buffer[3] === 0x08))
  );
}

function findEocd(buf: Buffer): number {
  const min = Math.max(0, buf.length - EOCD_SIZE - 0xffff);
  for (let i = buf.length - EOCD_SIZE; i >= min; i--) {
    // « PK\5\6 », the end record's signature (0x06054b50), compared byte by byte.
    if (buf[i] === 0x50 && buf[i + 1] === 0x4b && buf[i + 2] === 0x05 && buf[i + 3] === 0x06) {
      // The comment must end exactly at (or, leniently, before) the end of the file.
      const commentLength = buf.readUInt16LE(i + 20);
      if (i + EOCD_SIZE + commentLength <= buf.length) return i;
    }
  }
  return -1;
}

function readUInt64(buf: Buffer, offset: number): number {
  const value = buf.readBigUInt64LE(offset);
  // Sizes above 2^53 are absurd for us anyway; keep them above any limit rather than wrapping.
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

interface Directory {
  offset: number;
  size: number;
  count: number;
}

function readDirectoryLocation(buf: Buffer, eocd: number): Directory {
  const diskNumber = buf.readUInt16LE(eocd + 4);
  const diskWithCd = buf.readUInt16LE(eocd + 6);
  let countOnDisk = buf.readUInt16LE(eocd + 8);
  let count = buf.readUInt16LE(eocd + 10);
  let size = buf.readUInt32LE(eocd + 12);
  let offset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || countOnDisk === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || buf.readUInt32LE(locator) !== SIG_ZIP64_LOCATOR) throw corrupt('zip64 locator missing');
    const record = readUInt64(buf, locator + 8);
    if (record + 56 > buf.length || buf.readUInt32LE(record) !== SIG_ZIP64_EOCD) throw corrupt('zip64 EOCD missing');
    countOnDisk = readUInt64(buf, record + 24);
    count = readUInt64(buf, record + 32);
    size = readUInt64(buf, record + 40);
    offset = readUInt64(buf, record + 48);
  }
  if (diskNumber !== 0 || diskWithCd !== 0 || countOnDisk !== count) throw corrupt('multi-disk archive');
  if (offset + size > eocd) throw corrupt('central directory runs past its end record');
  return { offset, size, count };
}

function applyZip64Extra(
  buf: Buffer,
  extraStart: number,
  extraEnd: number,
  entry: { compressedSize: number; uncompressedSize: number; localHeaderOffset: number },
): void {
  let p = extraStart;
  while (p + 4 <= extraEnd) {
    const id = buf.readUInt16LE(p);
    const length = buf.readUInt16LE(p + 2);
    const dataStart = p + 4;
    if (dataStart + length > extraEnd) throw corrupt('extra field overflows');
    if (id === 0x0001) {
      let q = dataStart;
      const need = (): number => {
        if (q + 8 > dataStart + length) throw corrupt('zip64 extra too short');
        const v = readUInt64(buf, q);
        q += 8;
        return v;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = need();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = need();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = need();
      return;
    }
    p = dataStart + length;
  }
}

function decodeName(bytes: Buffer, utf8: boolean): string {
  // Names of the entries we look for are ASCII; CP437 names are read as latin1, which is enough to compare.
  return utf8 ? bytes.toString('utf8') : bytes.toString('latin1');
}

/** Reads the directory. Throws ReadError for anything broken or hostile. Does not classify. */
export function readZipDirectory(input: Uint8Array, limits: ZipLimits = {}): ZipEntryInfo[] {
  const lim = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length < EOCD_SIZE) throw corrupt('shorter than an end record');
  const eocd = findEocd(buf);
  if (eocd < 0) throw corrupt('no end of central directory record (truncated?)');
  const dir = readDirectoryLocation(buf, eocd);
  if (dir.count > lim.maxEntries) {
    throw new ReadError('FILE_TOO_COMPLEX', undefined, { detail: `zip: ${dir.count} entries` });
  }
  if (dir.count * CENTRAL_SIZE > dir.size) throw corrupt('directory smaller than its entry count');

  const entries: ZipEntryInfo[] = [];
  let p = dir.offset;
  const end = dir.offset + dir.size;
  for (let i = 0; i < dir.count; i++) {
    if (p + CENTRAL_SIZE > end || buf.readUInt32LE(p) !== SIG_CENTRAL) throw corrupt(`bad central entry #${i}`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const next = p + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (next > end) throw corrupt(`central entry #${i} overflows the directory`);
    const entry = {
      compressedSize: buf.readUInt32LE(p + 20),
      uncompressedSize: buf.readUInt32LE(p + 24),
      localHeaderOffset: buf.readUInt32LE(p + 42),
    };
    const nameStart = p + CENTRAL_SIZE;
    applyZip64Extra(buf, nameStart + nameLength, nameStart + nameLength + extraLength, entry);
    const name = decodeName(buf.subarray(nameStart, nameStart + nameLength), (flags & 0x0800) !== 0);
    if (entry.localHeaderOffset + LOCAL_SIZE > dir.offset) throw corrupt(`entry ${name} starts after the directory`);
    if (entry.localHeaderOffset + LOCAL_SIZE + entry.compressedSize > dir.offset) {
      throw corrupt(`entry ${name} runs past the directory`);
    }
    if (buf.readUInt32LE(entry.localHeaderOffset) !== SIG_LOCAL) throw corrupt(`no local header for ${name}`);
    entries.push({ name, method, flags, ...entry, encrypted: (flags & 0x0001) !== 0 });
    p = next;
  }
  return entries;
}

/** Refuses declared sizes that are hostile: the total first (the clearer message), then each entry's ratio. */
function checkZipBomb(entries: ZipEntryInfo[], limits: ZipLimits = {}): void {
  const lim = { ...DEFAULT_ZIP_LIMITS, ...limits };
  let total = 0;
  for (const entry of entries) {
    total += entry.uncompressedSize;
    if (entry.method === 0 && !entry.encrypted && entry.compressedSize !== entry.uncompressedSize) {
      throw corrupt(`stored entry ${entry.name} with different sizes`);
    }
  }
  if (total > lim.maxTotalUncompressedBytes) {
    throw new ReadError('FILE_ZIP_BOMB', readMessages.zipBomb(total, lim.maxTotalUncompressedBytes), {
      detail: `zip: declares ${total} bytes uncompressed, limit ${lim.maxTotalUncompressedBytes}`,
    });
  }
  for (const entry of entries) {
    if (entry.uncompressedSize < lim.ratioFloorBytes) continue;
    const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
    if (ratio > lim.maxRatio || ratio > DEFLATE_MAX_RATIO) {
      throw new ReadError('FILE_ZIP_BOMB', readMessages.zipRatio(entry.name), {
        detail: `zip: ${entry.name} declares ${entry.uncompressedSize} bytes from ${entry.compressedSize} (ratio ${Math.round(ratio)})`,
      });
    }
  }
}

/**
 * The bytes of one entry, inflated, refusing to produce more than `maxBytes` (zlib stops there).
 * Used only for the small entries the main thread needs (`mimetype`, `META-INF/manifest.xml`) and, in the
 * worker, for an ods `content.xml`.
 */
export function extractZipEntry(input: Uint8Array, entry: ZipEntryInfo, maxBytes: number): Buffer {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const p = entry.localHeaderOffset;
  if (p + LOCAL_SIZE > buf.length || buf.readUInt32LE(p) !== SIG_LOCAL) throw corrupt(`no local header for ${entry.name}`);
  const start = p + LOCAL_SIZE + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const stop = start + entry.compressedSize;
  if (stop > buf.length) throw corrupt(`entry ${entry.name} truncated`);
  if (entry.encrypted) throw new ReadError('FILE_ENCRYPTED', undefined, { detail: `zip: ${entry.name} encrypted` });
  const data = buf.subarray(start, stop);
  if (entry.method === 0) {
    if (data.length > maxBytes) throw new ReadError('FILE_TOO_COMPLEX', undefined, { detail: `zip: ${entry.name} too big` });
    return data;
  }
  if (entry.method !== 8) throw corrupt(`entry ${entry.name} uses compression method ${entry.method}`);
  try {
    return duringNativeCall(() => inflateRawSync(data, { maxOutputLength: Math.max(1, maxBytes) }));
  } catch (error) {
    if (error instanceof WorkerStopping) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ReadError('FILE_ZIP_BOMB', undefined, { detail: `zip: ${entry.name} inflates past ${maxBytes} bytes` });
    }
    throw corrupt(`entry ${entry.name} does not inflate: ${(error as Error).message}`);
  }
}

function findEntry(entries: ZipEntryInfo[], name: string): ZipEntryInfo | undefined {
  const lower = name.toLowerCase();
  return entries.find((e) => e.name.toLowerCase() === lower || e.name.toLowerCase() === `/${lower}`);
}

function hasPrefix(entries: ZipEntryInfo[], prefix: string): boolean {
  const lower = prefix.toLowerCase();
  return entries.some((e) => e.name.toLowerCase().startsWith(lower));
}

function readMimetype(buf: Buffer, entries: ZipEntryInfo[]): string | undefined {
  const entry = findEntry(entries, 'mimetype');
  if (!entry || entry.encrypted || entry.uncompressedSize > 200) return undefined;
  try {
    return extractZipEntry(buf, entry, 200).toString('latin1').trim();
  } catch {
    return undefined;
  }
}

function classify(buf: Buffer, entries: ZipEntryInfo[]): { kind: ZipContentKind; mimetype?: string } {
  if (entries.length === 0) return { kind: 'empty' };
  const mimetype = readMimetype(buf, entries);
  if (mimetype !== undefined && mimetype.startsWith('application/vnd.oasis.opendocument.')) {
    // A spreadsheet without content.xml is a damaged one: the parser will say so (FILE_CORRUPT).
    if (ODS_MIMETYPES.has(mimetype)) return { kind: 'ods', mimetype };
    return { kind: 'opendocument-other', mimetype };
  }
  if (findEntry(entries, 'xl/workbook.xml') || (hasPrefix(entries, 'xl/worksheets/') && !findEntry(entries, 'xl/workbook.bin'))) {
    return { kind: 'xlsx', mimetype };
  }
  if (findEntry(entries, 'xl/workbook.bin')) return { kind: 'xlsb', mimetype };
  if (findEntry(entries, 'word/document.xml') || hasPrefix(entries, 'word/')) return { kind: 'docx', mimetype };
  if (findEntry(entries, 'ppt/presentation.xml') || hasPrefix(entries, 'ppt/')) return { kind: 'pptx', mimetype };
  return { kind: 'archive', mimetype };
}

/**
 * Directory + limits + classification. Throws ReadError (FILE_CORRUPT, FILE_ZIP_BOMB, FILE_ENCRYPTED,
 * FILE_TOO_COMPLEX). Does not refuse non-spreadsheets: see `assertSpreadsheetZip`.
 */
export function inspectZip(input: Uint8Array, limits: ZipLimits = {}): ZipInspection {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const entries = readZipDirectory(buf, limits);
  checkZipBomb(entries, limits);
  const { kind, mimetype } = classify(buf, entries);
  if ((kind === 'xlsx' || kind === 'ods') && entries.some((e) => e.encrypted)) {
    throw new ReadError('FILE_ENCRYPTED', undefined, { detail: 'zip: encrypted entries' });
  }
  let totalCompressedSize = 0;
  let totalUncompressedSize = 0;
  for (const e of entries) {
    totalCompressedSize += e.compressedSize;
    totalUncompressedSize += e.uncompressedSize;
  }
  const result: ZipInspection = { kind, entries, totalCompressedSize, totalUncompressedSize };
  if (mimetype !== undefined) result.mimetype = mimetype;
  return result;
}

/** Throws FILE_NOT_SPREADSHEET with the right words unless the zip is an xlsx or an ods workbook. */
export function assertSpreadsheetZip(inspection: ZipInspection): asserts inspection is ZipInspection & { kind: 'xlsx' | 'ods' } {
  const detail = `zip kind ${inspection.kind}`;
  switch (inspection.kind) {
    case 'xlsx':
    case 'ods':
      return;
    case 'xlsb':
      throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.xlsb(), { detail });
    case 'docx':
      throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.word(), { detail });
    case 'pptx':
      throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.presentation(), { detail });
    case 'opendocument-other':
      throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.otherOpenDocument(), { detail: `${detail} ${inspection.mimetype}` });
    case 'empty':
      throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.emptyArchive(), { detail });
    default:
      throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.archive(), { detail });
  }
}

/**
 * An encrypted OpenDocument file is a normal zip whose manifest lists `manifest:encryption-data` for its
 * parts (their bytes are then ciphered). Reads the manifest only (capped at 1 MB).
 */
export function isEncryptedOpenDocument(input: Uint8Array, inspection: ZipInspection): boolean {
  const manifest = findEntry(inspection.entries, 'META-INF/manifest.xml');
  if (!manifest) return false;
  const xml = extractZipEntry(input, manifest, 1024 * 1024);
  return xml.indexOf('encryption-data') >= 0;
}

export function findZipEntry(inspection: ZipInspection, name: string): ZipEntryInfo | undefined {
  return findEntry(inspection.entries, name);
}
