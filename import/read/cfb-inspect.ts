/**
 * Compound File Binary (OLE2, magic D0 CF 11 E0 A1 B1 1A E1) files: what is inside, without parsing the
 * streams. Two kinds matter to the import:
 * - an encrypted OOXML file (xlsx/docx saved with a password): Office wraps the ciphered package in a CFB
 *   with `EncryptionInfo` and `EncryptedPackage` streams → FILE_ENCRYPTED;
 * - a legacy Excel 97-2003 workbook (`Workbook` or, for Excel 5, `Book` stream) → refused with a message
 *   asking for .xlsx (decision: BIFF parsing is a large extra attack surface in xlsx 0.18.5, the model has no
 *   'xls' format, and every partner's tool can save as .xlsx).
 *
 * The directory is read properly (header → DIFAT → FAT → directory sector chain). When the header is
 * incoherent (a truncated or hand-made file) the stream names are looked for as UTF-16LE bytes instead.
 */
import { ReadError, readMessages } from './read-error';

export const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

export type CfbKind = 'encrypted-ooxml' | 'xls' | 'doc' | 'ppt' | 'other';

export interface CfbInspection {
  kind: CfbKind;
  /** Names of the directory entries (storages and streams). */
  names: string[];
  /** True when the directory could be walked; false when the names were found by scanning bytes. */
  parsed: boolean;
}

export function looksLikeCfb(buffer: Uint8Array): boolean {
  if (buffer.length < CFB_MAGIC.length) return false;
  for (let i = 0; i < CFB_MAGIC.length; i++) if (buffer[i] !== CFB_MAGIC[i]) return false;
  return true;
}

const END_OF_CHAIN = 0xfffffffe;
const FREE_SECTOR = 0xffffffff;
const MAX_REGULAR_SECTOR = 0xfffffffa;

function readDirectoryNames(buf: Buffer): string[] | null {
  if (buf.length < 512) return null;
  const sectorShift = buf.readUInt16LE(0x1e);
  if (sectorShift !== 9 && sectorShift !== 12) return null;
  const sectorSize = 1 << sectorShift;
  const sectorCount = Math.ceil(buf.length / sectorSize);
  const sectorOffset = (n: number): number => (n + 1) * sectorSize;
  const validSector = (n: number): boolean => n <= MAX_REGULAR_SECTOR && sectorOffset(n) < buf.length;

  const fatSectorCount = buf.readUInt32LE(0x2c);
  const firstDirSector = buf.readUInt32LE(0x30);
  let difatSector = buf.readUInt32LE(0x44);
  const difatCount = buf.readUInt32LE(0x48);
  if (fatSectorCount > sectorCount || difatCount > sectorCount) return null;

  // FAT sector numbers: 109 in the header, the rest in the DIFAT chain.
  const fatSectors: number[] = [];
  for (let i = 0; i < 109 && fatSectors.length < fatSectorCount; i++) {
    const s = buf.readUInt32LE(0x4c + i * 4);
    if (s === FREE_SECTOR) break;
    fatSectors.push(s);
  }
  const perDifat = sectorSize / 4 - 1;
  for (let d = 0; d < difatCount && fatSectors.length < fatSectorCount; d++) {
    if (!validSector(difatSector)) return null;
    const base = sectorOffset(difatSector);
    for (let i = 0; i < perDifat && fatSectors.length < fatSectorCount; i++) {
      if (base + i * 4 + 4 > buf.length) return null;
      fatSectors.push(buf.readUInt32LE(base + i * 4));
    }
    if (base + perDifat * 4 + 4 > buf.length) return null;
    difatSector = buf.readUInt32LE(base + perDifat * 4);
  }

  const fatEntry = (n: number): number | null => {
    const perSector = sectorSize / 4;
    const fatIndex = Math.floor(n / perSector);
    if (fatIndex >= fatSectors.length) return null;
    const at = sectorOffset(fatSectors[fatIndex]) + (n % perSector) * 4;
    if (at + 4 > buf.length) return null;
    return buf.readUInt32LE(at);
  };

  const names: string[] = [];
  let sector = firstDirSector;
  let guard = 0;
  while (sector !== END_OF_CHAIN) {
    if (!validSector(sector) || guard++ > sectorCount) return null;
    const base = sectorOffset(sector);
    for (let e = 0; e < sectorSize / 128; e++) {
      const at = base + e * 128;
      if (at + 128 > buf.length) break;
      const nameLength = buf.readUInt16LE(at + 0x40);
      const type = buf[at + 0x42];
      if (type !== 1 && type !== 2 && type !== 5) continue;
      if (nameLength < 2 || nameLength > 64 || nameLength % 2 !== 0) continue;
      names.push(buf.toString('utf16le', at, at + nameLength - 2));
    }
    const next = fatEntry(sector);
    if (next === null) return null;
    sector = next;
  }
  return names.length > 0 ? names : null;
}

const SCANNED_NAMES = ['EncryptedPackage', 'EncryptionInfo', 'Workbook', 'Book', 'WordDocument', 'PowerPoint Document'];

function scanNames(buf: Buffer): string[] {
  const found: string[] = [];
  for (const name of SCANNED_NAMES) {
    // Directory names are UTF-16LE and end with a NUL character.
    if (buf.indexOf(Buffer.from(`${name}\u0000`, 'utf16le')) >= 0) found.push(name);
  }
  return found;
}

function kindOf(names: string[]): CfbKind {
  const set = new Set(names.map((n) => n.toLowerCase()));
  if (set.has('encryptedpackage') || set.has('encryptioninfo')) return 'encrypted-ooxml';
  if (set.has('workbook') || set.has('book')) return 'xls';
  if (set.has('worddocument')) return 'doc';
  if (set.has('powerpoint document')) return 'ppt';
  return 'other';
}

export function inspectCfb(input: Uint8Array): CfbInspection {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const parsedNames = readDirectoryNames(buf);
  if (parsedNames) return { kind: kindOf(parsedNames), names: parsedNames, parsed: true };
  const scanned = scanNames(buf);
  return { kind: kindOf(scanned), names: scanned, parsed: false };
}

/** Always throws: no CFB file is accepted. The error says why in the partner's words. */
export function refuseCfb(input: Uint8Array): never {
  const inspection = inspectCfb(input);
  const detail = `cfb ${inspection.kind} (${inspection.parsed ? 'directory' : 'scan'}: ${inspection.names.join(', ')})`;
  switch (inspection.kind) {
    case 'encrypted-ooxml':
      throw new ReadError('FILE_ENCRYPTED', undefined, { detail });
    case 'xls':
      throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.legacyXls(), { detail });
    case 'doc':
      throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.word(), { detail });
    case 'ppt':
      throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.presentation(), { detail });
    default:
      if (!inspection.parsed) throw new ReadError('FILE_CORRUPT', undefined, { detail });
      throw new ReadError('FILE_NOT_SPREADSHEET', undefined, { detail });
  }
}
