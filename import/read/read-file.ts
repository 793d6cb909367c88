/**
 * Stage "read": any uploaded file → WorkbookGrid (with its reading warnings), or a ReadError whose French
 * message tells the partner what to do.
 *
 * The bytes decide the format, never the file name: a zip is inspected then parsed as xlsx or ods in a worker
 * (xlsx.reader.ts); a Compound File (D0 CF 11 E0) is an encrypted Office file or a legacy .xls, both refused
 * (cfb-inspect.ts); PDFs, images, archives and executables are refused; text is read as CSV (csv.reader.ts);
 * anything else is refused. The extension only chooses the wording when the content is unrecognisable
 * (junk named `.xlsx` is "damaged", junk named `.jpg` is "not a spreadsheet").
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { refuseCfb, looksLikeCfb } from './cfb-inspect';
import { readCsv, looksLikeBinary } from './csv.reader';
import { ReadError, readMessages } from './read-error';
import type { ReadResult } from './read-result';
import { packedCellCount, readSpreadsheetPacked, unpackSpreadsheet, type PackedSpreadsheet, type WorkerReadOptions } from './xlsx.reader';
export { closeSpareWorker, keepSpareWorker, refillSparesAfter } from './xlsx.reader';
import { looksLikeZip } from './zip-inspect';

export interface ReadFileOptions extends WorkerReadOptions {
  /** Upload size cap (default 20 MB). */
  maxBytes?: number;
  /** CSV: refuse files with more fields than this (default 4 000 000). */
  maxCsvCells?: number;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const YIELD_BEFORE_SNIFF_BYTES = 1024 * 1024;

export type SniffedKind = 'zip' | 'cfb' | 'pdf' | 'image' | 'archive' | 'executable' | 'text' | 'binary';

function startsWith(buffer: Uint8Array, bytes: number[], offset = 0): boolean {
  if (buffer.length < offset + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buffer[offset + i] !== bytes[i]) return false;
  return true;
}

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

/** What the first bytes say the file is. */
export function sniffFormat(buffer: Uint8Array): SniffedKind {
  if (looksLikeZip(buffer)) return 'zip';
  if (looksLikeCfb(buffer)) return 'cfb';
  // A PDF may have a few bytes of junk before its header.
  for (let i = 0; i <= Math.min(16, buffer.length - 5); i++) if (startsWith(buffer, ascii('%PDF-'), i)) return 'pdf';
  if (
    startsWith(buffer, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) || // PNG
    startsWith(buffer, [0xff, 0xd8, 0xff]) || // JPEG
    startsWith(buffer, ascii('GIF87a')) ||
    startsWith(buffer, ascii('GIF89a')) ||
    startsWith(buffer, [0x49, 0x49, 0x2a, 0x00]) || // TIFF
    startsWith(buffer, [0x4d, 0x4d, 0x00, 0x2a]) ||
    (startsWith(buffer, ascii('RIFF')) && startsWith(buffer, ascii('WEBP'), 8)) ||
    startsWith(buffer, [0x00, 0x00, 0x01, 0x00]) // ICO
  ) {
    return 'image';
  }
  if (
    startsWith(buffer, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) || // 7z
    startsWith(buffer, ascii('Rar!\u001a\u0007')) ||
    startsWith(buffer, [0x1f, 0x8b]) || // gzip
    startsWith(buffer, [0x28, 0xb5, 0x2f, 0xfd]) || // zstd
    startsWith(buffer, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) // xz
  ) {
    return 'archive';
  }
  if (startsWith(buffer, [0x7f, 0x45, 0x4c, 0x46]) || (startsWith(buffer, ascii('MZ')) && looksLikeBinary(buffer))) {
    return 'executable';
  }
  // UTF-16 with a BOM, or text without too many control bytes (csv.reader decides finely).
  if (startsWith(buffer, [0xff, 0xfe]) || startsWith(buffer, [0xfe, 0xff])) return 'text';
  return looksLikeBinary(buffer) && !looksLikeUtf16WithoutBom(buffer) ? 'binary' : 'text';
}

function looksLikeUtf16WithoutBom(buffer: Uint8Array): boolean {
  const n = Math.min(buffer.length, 8192) & ~1;
  if (n < 4) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (buffer[i] === 0) even++;
    if (buffer[i + 1] === 0) odd++;
  }
  const half = n / 2;
  return (odd / half > 0.4 && even / half < 0.02) || (even / half > 0.4 && odd / half < 0.02);
}

const SPREADSHEET_EXTENSIONS = new Set(['xlsx', 'xlsm', 'xls', 'ods', 'csv', 'txt', 'tsv']);

function extensionOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

function assertHasCells(result: ReadResult): ReadResult {
  if (result.sheets.length === 0) {
    throw new ReadError('FILE_EMPTY', readMessages.noVisibleSheet(result.skippedSheets.length), {
      detail: 'no visible sheet',
    });
  }
  const anyCell = result.sheets.some((sheet) => sheet.rows.some((row) => row.some((cell) => cell !== null)));
  if (!anyCell) throw new ReadError('FILE_EMPTY', readMessages.noCell(), { detail: 'no cell in visible sheets' });
  return result;
}

/**
 * Reads one uploaded file. Resolves with the grid and its reading warnings; rejects with a ReadError
 * (FILE_EMPTY, FILE_TOO_LARGE, FILE_CORRUPT, FILE_ENCRYPTED, FILE_NOT_SPREADSHEET, FILE_ZIP_BOMB,
 * FILE_TIMEOUT, FILE_TOO_COMPLEX). Never throws anything else for bad input.
 */
export async function readUploadedFile(
  buffer: Uint8Array,
  fileName: string,
  options: ReadFileOptions = {},
): Promise<ReadResult> {
  return unpackRead(await readUploadedFilePacked(buffer, fileName, options));
}

/**
 * An uploaded file as far as it is read before its cells are built: a workbook's packed sheets (parsed in
 * the xlsx workers), or a CSV's bytes (not decoded yet). unpackRead finishes it; the server does that in the
 * pipeline worker for large files (import/pipeline.runner.ts), so that building a large file's cells, or
 * decoding and splitting a large CSV, never holds the main thread.
 */
export type PackedRead =
  | { kind: 'csv'; bytes: Uint8Array; fileName: string; maxCells?: number }
  | { kind: 'spreadsheet'; spreadsheet: PackedSpreadsheet };

/** readUploadedFile up to the cells: sniffs, refuses what is not a spreadsheet, parses workbooks in workers. */
export async function readUploadedFilePacked(buffer: Uint8Array, fileName: string, options: ReadFileOptions = {}): Promise<PackedRead> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  if (buffer.length > maxBytes) {
    throw new ReadError('FILE_TOO_LARGE', readMessages.tooLarge(buffer.length, maxBytes), {
      detail: `${buffer.length} bytes > ${maxBytes}`,
    });
  }
  if (buffer.length === 0) throw new ReadError('FILE_EMPTY', undefined, { detail: '0 bytes' });
  // Sniffing scans every byte (tens of ms for 20 MB): after a turn of the event loop, not in the same
  // stretch as receiving the upload.
  if (buffer.length >= YIELD_BEFORE_SNIFF_BYTES) await nextTurn();

  const kind = sniffFormat(buffer);
  switch (kind) {
    case 'zip':
      return { kind: 'spreadsheet', spreadsheet: await readSpreadsheetPacked(buffer, options) };
    case 'cfb':
      return refuseCfb(buffer);
    case 'pdf':
      throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.pdf(), { detail: 'pdf' });
    case 'image':
      throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.image(), { detail: 'image' });
    case 'archive':
      throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.archive(), { detail: 'compressed archive' });
    case 'text':
      return { kind: 'csv', bytes: buffer, fileName, ...(options.maxCsvCells !== undefined ? { maxCells: options.maxCsvCells } : {}) };
    default: {
      const extension = extensionOf(fileName);
      if (SPREADSHEET_EXTENSIONS.has(extension)) {
        throw new ReadError('FILE_CORRUPT', readMessages.binaryWithSpreadsheetName(extension), { detail: kind });
      }
      throw new ReadError('FILE_NOT_SPREADSHEET', readMessages.binary(), { detail: kind });
    }
  }
}

/** Builds the cells of a packed read (CSV: decodes and splits it). Throws ReadError. */
export function unpackRead(read: PackedRead): ReadResult {
  if (read.kind === 'csv') return assertHasCells(readCsv(read.bytes, read.fileName, { maxCells: read.maxCells }));
  return assertHasCells(unpackSpreadsheet(read.spreadsheet));
}

/** About how much work unpackRead is: cells of a workbook, bytes of a CSV (a CSV field takes 5 to 20). */
export function packedReadSize(read: PackedRead): { cells: number; bytes: number } {
  return read.kind === 'csv' ? { cells: 0, bytes: read.bytes.length } : { cells: packedCellCount(read.spreadsheet), bytes: 0 };
}
